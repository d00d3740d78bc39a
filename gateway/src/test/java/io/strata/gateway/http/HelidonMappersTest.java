package io.strata.gateway.http;

import io.helidon.common.mapper.MapperException;
import io.helidon.common.mapper.MapperManager;
import io.helidon.common.mapper.Mappers;
import io.helidon.http.HeaderValues;
import io.helidon.service.registry.Services;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HelidonMappersTest {

    @Test
    @SuppressWarnings("removal")
    void pinningSetsOneGlobalManagerThatTheRegistryAlsoServesAndThatConvertsAsBefore() {
        HelidonMappers.pin();
        MapperManager global = MapperManager.global();
        HelidonMappers.pin();   // a second server in the same JVM changes nothing
        assertSame(global, MapperManager.global());
        assertSame(global, Services.get(Mappers.class));
        assertEquals(12345L, HeaderValues.create("Content-Length", "12345").get(long.class));
        assertThrows(MapperException.class, () -> HeaderValues.create("Content-Length", "12x").get(long.class));
    }
}
