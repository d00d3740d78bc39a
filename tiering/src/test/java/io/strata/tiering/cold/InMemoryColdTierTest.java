package io.strata.tiering.cold;

import io.strata.tiering.ColdTier;

/** The in-memory fake keeps the contract, so tests above the seam may trust it. */
class InMemoryColdTierTest extends ColdTierContractTest {

    @Override
    ColdTier createTier() {
        return InMemoryColdTier.create();
    }
}
