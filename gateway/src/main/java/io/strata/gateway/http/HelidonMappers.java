package io.strata.gateway.http;

import io.helidon.common.mapper.MapperManager;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Pins Helidon's global mapper manager once per JVM. Helidon 4.4 reads every {@code Content-Length}
 * through {@code MapperManager.global()}: when no manager was set, each call looks the manager up in
 * the service registry again, which measured about 0.2 ms of CPU per call on this code's hardware
 * before the JIT and still a tenth of a small request's CPU after it (Helidon reads the length when
 * routing, when opening a response stream, and the gateway when checking a body). Once set, the call
 * is a field read. The manager set is the one the registry would build (the same mappers, so values
 * convert as before); set before anything asked the registry for one, Helidon takes it without the
 * "already set or used" warning. Thread-safe.
 */
public final class HelidonMappers {
    private static final AtomicBoolean PINNED = new AtomicBoolean();

    private HelidonMappers() {
    }

    /** Sets the global mapper manager unless this JVM already did; call before the first server starts. */
    @SuppressWarnings("removal")   // Helidon 4.4 itself still reads Content-Length through MapperManager.global()
    public static void pin() {
        if (PINNED.compareAndSet(false, true)) MapperManager.global(MapperManager.create());
    }
}
