package io.strata.gateway;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The layering, checked on the compiled classes: {@code jdeps} reads every io.strata module on the
 * test classpath (this module's classes and the lower modules' classes or jars), and the package
 * graph restricted to io.strata must have no cycle. Packages that import each other in a circle
 * cannot be understood, tested or split into modules one at a time. Also checks the rules the
 * package-info files state: the data plane knows neither Helidon nor the S3 API, the transport
 * does not know the S3 API, and the root package holds only the entry point and the wiring.
 */
class PackageCyclesTest {
    private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)\\s");

    /** Every package's dependencies on any package (JDK and libraries included), as jdeps reports them. */
    private static Map<String, Set<String>> graph;
    private static Path gatewayClasses;

    @BeforeAll
    static void readCompiledClasses() throws URISyntaxException {
        gatewayClasses = Path.of(StrataServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> archives = new ArrayList<>();
        archives.add(gatewayClasses.toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!p.equals(gatewayClasses) && !p.getFileName().toString().equals("test-classes") && holdsStrataClasses(p)) {
                archives.add(entry);
            }
        }
        assertTrue(archives.size() >= 6, "expected gateway and the five modules below it on the classpath: " + archives);
        graph = dependencies(archives);
    }

    @Test
    void ioStrataPackagesFormNoCycle() {
        Map<String, Set<String>> strata = new TreeMap<>();
        graph.forEach((from, to) -> {
            if (!from.startsWith("io.strata.")) return;
            Set<String> targets = new TreeSet<>();
            for (String t : to) if (t.startsWith("io.strata.") && !t.equals(from)) targets.add(t);
            strata.put(from, targets);
        });
        assertTrue(strata.containsKey("io.strata.gateway") && strata.containsKey("io.strata.namespace"),
                "jdeps read the gateway and the modules below it: " + strata.keySet());
        List<List<String>> cycles = cycles(strata);
        if (!cycles.isEmpty()) {
            StringBuilder b = new StringBuilder("package cycles (each line is one set of packages that reach each other):");
            for (List<String> cycle : cycles) {
                b.append("\n  ").append(cycle);
                for (String p : cycle) {
                    for (String t : strata.get(p)) if (cycle.contains(t)) b.append("\n      ").append(p).append(" -> ").append(t);
                }
            }
            fail(b.toString());
        }
    }

    @Test
    void theDataPlaneImportsNeitherHelidonNorTheS3Api() {
        for (String p : packagesUnder("io.strata.gateway.objects")) {
            assertEquals(Set.of(), matching(graph.get(p), "io.helidon"), p + " must not depend on Helidon");
            assertEquals(Set.of(), matching(graph.get(p), "io.strata.gateway.s3"), p + " must not depend on the S3 API");
        }
    }

    @Test
    void theTransportDoesNotImportTheS3Api() {
        for (String p : packagesUnder("io.strata.gateway.http")) {
            assertEquals(Set.of(), matching(graph.get(p), "io.strata.gateway.s3"), p + " must not depend on the S3 API");
        }
    }

    @Test
    void theRootPackageHoldsOnlyTheEntryPointAndTheWiring() throws IOException {
        Set<String> classes = new TreeSet<>();
        try (Stream<Path> files = Files.list(gatewayClasses.resolve("io/strata/gateway"))) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replaceFirst("\\$.*", ""))
                    .forEach(classes::add);
        }
        classes.remove("package-info");
        assertEquals(Set.of("Main", "StrataServer"), classes);
    }

    /** Whether a classpath entry (a classes directory or a jar) holds classes of an io.strata module. */
    private static boolean holdsStrataClasses(Path entry) {
        if (Files.isDirectory(entry)) return Files.isDirectory(entry.resolve("io/strata"));
        if (!entry.getFileName().toString().endsWith(".jar") || !Files.isRegularFile(entry)) return false;
        try (JarFile jar = new JarFile(entry.toFile())) {
            return jar.getEntry("io/strata/") != null
                    || jar.stream().anyMatch(e -> e.getName().startsWith("io/strata/") && e.getName().endsWith(".class"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Set<String>> dependencies(List<String> archives) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps"));
        List<String> args = new ArrayList<>(List.of("-verbose:package", "-filter:none", "--multi-release", "base"));
        args.addAll(archives);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        assertEquals(0, status, "jdeps " + args + " failed: " + err);
        Map<String, Set<String>> result = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.find()) result.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
        }
        return result;
    }

    private static Set<String> packagesUnder(String root) {
        Set<String> result = new TreeSet<>();
        for (String p : graph.keySet()) if (p.equals(root) || p.startsWith(root + ".")) result.add(p);
        assertTrue(!result.isEmpty(), "no package " + root + " in " + graph.keySet());
        return result;
    }

    private static Set<String> matching(Set<String> targets, String root) {
        Set<String> result = new TreeSet<>();
        for (String t : targets) if (t.equals(root) || t.startsWith(root + ".")) result.add(t);
        return result;
    }

    /** Tarjan's strongly connected components with more than one package, each sorted. */
    static List<List<String>> cycles(Map<String, Set<String>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        List<List<String>> result = new ArrayList<>();
        int[] next = {0};
        for (String v : edges.keySet()) {
            if (!index.containsKey(v)) connect(v, edges, index, low, stack, onStack, next, result);
        }
        return result;
    }

    private static void connect(String v, Map<String, Set<String>> edges, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack, int[] next,
                                List<List<String>> result) {
        index.put(v, next[0]);
        low.put(v, next[0]);
        next[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : edges.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, edges, index, low, stack, onStack, next, result);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                component.sort(null);
                result.add(component);
            }
        }
    }

    @Test
    void tarjanFindsEveryCycleAndOnlyCycles() {
        Map<String, Set<String>> edges = new TreeMap<>();
        edges.put("a", Set.of("b"));
        edges.put("b", Set.of("c", "d"));
        edges.put("c", Set.of("a"));
        edges.put("d", Set.of("e"));
        edges.put("e", Set.of("d"));
        edges.put("f", Set.of("a"));
        assertEquals(List.of(List.of("d", "e"), List.of("a", "b", "c")), cycles(edges));
        assertEquals(List.of(), cycles(Map.of("x", Set.of("y"), "y", Set.of("z"))));
    }
}
