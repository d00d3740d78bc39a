package io.strata.gateway;

import io.strata.namespace.Namespace;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.Function;

/**
 * A namespace that passes every call to another one, except that {@code fault} is asked first for
 * each call (method name and arguments) and the exception it returns, if any, is thrown instead.
 */
final class FaultyNamespace {
    private FaultyNamespace() {
    }

    /** A call to the namespace, as the fault sees it. */
    record Call(String method, Object[] args) {
    }

    static Namespace wrap(Namespace delegate, Function<Call, RuntimeException> fault) {
        return (Namespace) Proxy.newProxyInstance(Namespace.class.getClassLoader(), new Class<?>[] {Namespace.class},
                (proxy, method, args) -> {
                    RuntimeException injected = fault.apply(new Call(method.getName(), args == null ? new Object[0] : args));
                    if (injected != null) throw injected;
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
