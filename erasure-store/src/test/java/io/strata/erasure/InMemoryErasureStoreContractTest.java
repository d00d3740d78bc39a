package io.strata.erasure;

class InMemoryErasureStoreContractTest extends ErasureStoreContract {
    @Override
    ErasureStore createStore() {
        return InMemoryErasureStore.create();
    }
}
