package io.strata.tiering.placement;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The stored pin document. */
class PinDocumentTest {
    @Test
    void pinDocumentRoundTripsAnyPrefix() {
        List<String> prefixes = List.of("", "train/", "a b\nc/ü%", "x+y");
        byte[] doc = PlacementService.encodePins(prefixes);
        assertEquals(prefixes, PlacementService.decodePins(doc));
        assertArrayEquals("strata-placement 1\npin train%2F\n".getBytes(StandardCharsets.UTF_8),
                PlacementService.encodePins(List.of("train/")));
        assertThrows(IllegalArgumentException.class, () -> PlacementService.decodePins("other 1\n".getBytes(StandardCharsets.UTF_8)));
    }
}
