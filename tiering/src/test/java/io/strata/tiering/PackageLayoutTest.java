package io.strata.tiering;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The packages of tiering point one way: the subpackages use the root package's seams, the root never uses
 * a subpackage, and the subpackages never use each other. Checked over the compiled classes, whose constant
 * pools name every class they refer to (as {@code io/strata/tiering/cold/...}).
 */
class PackageLayoutTest {
    private static final Set<String> SUBPACKAGES = Set.of("cold", "lifecycle", "placement");

    @Test
    void rootAndSubpackagesHaveNoCycle() throws IOException, URISyntaxException {
        Path root = Path.of(TierMover.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("io/strata/tiering");
        List<String> violations = new ArrayList<>();
        List<Path> classes;
        try (Stream<Path> s = Files.walk(root)) {
            classes = s.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertFalse(classes.isEmpty(), "no compiled classes under " + root);
        for (Path c : classes) {
            Path rel = root.relativize(c);
            String own = rel.getNameCount() == 1 ? "" : rel.getName(0).toString();
            String text = new String(Files.readAllBytes(c), StandardCharsets.ISO_8859_1);
            for (String sub : SUBPACKAGES) {
                if (!sub.equals(own) && text.contains("io/strata/tiering/" + sub + "/")) {
                    violations.add(rel + " uses io.strata.tiering." + sub);
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
