package io.strata.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scalar fallback: chosen when the Vector API is absent or refused, and working in such a JVM. */
class CodingKernelFallbackTest {

    @Test
    void autoFallsBackToScalarWhenTheVectorKernelCannotRun() {
        assertSame(TableKernel.INSTANCE, CodingKernels.choose("auto", "jdk.incubator.vector not enabled"));
        assertSame(TableKernel.INSTANCE, CodingKernels.choose("auto", "widest vector is 64-bit, need 128"));
    }

    @Test
    void scalarIsChosenOnRequestEvenWhereVectorsRun() {
        assertSame(TableKernel.INSTANCE, CodingKernels.choose("scalar", null));
        assertSame(TableKernel.INSTANCE, CodingKernels.choose(" Scalar ", "whatever"));
    }

    @Test
    void vectorOnRequestFailsWhereItCannotRunAndUnknownModesAreRefused() {
        assertThrows(IllegalStateException.class, () -> CodingKernels.choose("vector", "not enabled"));
        assertThrows(IllegalArgumentException.class, () -> CodingKernels.choose("simd", null));
    }

    @Test
    void aJvmWithoutTheVectorModuleCodesWithTheScalarKernel() throws Exception {
        String output = runProbe(List.of());
        assertTrue(output.contains("erasure coder: scalar (jdk.incubator.vector not enabled"), output);
        assertTrue(output.contains("probe: scalar ok"), output);
    }

    @Test
    void theSystemPropertyForcesTheScalarKernelWhereVectorsRun() throws Exception {
        String output = runProbe(List.of("--add-modules", "jdk.incubator.vector", "-Dstrata.erasure.coder=scalar"));
        assertTrue(output.contains("erasure coder: scalar (strata.erasure.coder=scalar)"), output);
        assertTrue(output.contains("probe: scalar ok"), output);
    }

    /** The masked-index path that JDK 21-23 take (their selectFrom throws instead of wrapping). */
    @Test
    void theVectorKernelWithMaskedIndexesCodesLikeTheTableKernel() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(CodingKernels.vectorAvailable());
        String output = runProbe(List.of("--add-modules", "jdk.incubator.vector", "-Dstrata.erasure.coder=vector",
                "-Dstrata.erasure.vector.maskIndexes=true"));
        assertTrue(output.contains("-bit (masked indexes) ok"), output);
    }

    /** Runs {@link KernelProbe} in a fresh JVM with {@code jvmArgs}; its stdout and stderr together. */
    private static String runProbe(List<String> jvmArgs) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info"); // the tests' simplelogger.properties says off
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelProbe.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out;
        try (var in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("probe did not finish");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), text);
        return text;
    }
}
