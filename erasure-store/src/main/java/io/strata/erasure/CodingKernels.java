package io.strata.erasure;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link CodingKernel} once per JVM, the first time a {@link ReedSolomon} code is
 * built (when the store opens at start-up), and logs the choice: {@code erasure coder: vector
 * 512-bit} or {@code erasure coder: scalar (...why...)}.
 *
 * <p>The vector kernel runs when the {@code jdk.incubator.vector} module is in the boot layer
 * ({@code java --add-modules jdk.incubator.vector}, which {@code ./strata} passes) and the
 * preferred vector species is at least 128 bits wide (a 16-entry nibble table must fit one
 * vector). Otherwise the scalar table kernel runs: a JVM without the flag works, only slower.
 * The system property {@value #PROPERTY} overrides the choice: {@code scalar} forces the table
 * kernel, {@code vector} demands the vector kernel (start-up fails if it cannot run), {@code auto}
 * (the default) picks the fastest available. Thread-safe (class initialisation).
 */
final class CodingKernels {
    static final String PROPERTY = "strata.erasure.coder";
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** Narrower vectors cannot hold a 16-entry lookup table. */
    static final int MIN_VECTOR_BITS = 128;
    private static final Logger LOG = LoggerFactory.getLogger(CodingKernels.class);
    private static final CodingKernel SELECTED = selectAndLog();

    private CodingKernels() {
    }

    /** The kernel every {@link ReedSolomon#of} code uses in this JVM. */
    static CodingKernel selected() {
        return SELECTED;
    }

    /** Whether the vector kernel can run here: module present and species wide enough. */
    static boolean vectorAvailable() {
        return vectorUnavailableReason() == null;
    }

    /**
     * Why the vector kernel cannot run here, or {@code null} if it can. Touches
     * {@link VectorKernel} only once the module is known to be there, so a JVM without it never
     * loads a class that links against the module.
     */
    static String vectorUnavailableReason() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return VECTOR_MODULE + " not enabled: add --add-modules " + VECTOR_MODULE + " to the java command";
        }
        int bits;
        try {
            bits = VectorKernel.vectorBits();
        } catch (LinkageError e) {
            return VECTOR_MODULE + " unusable: " + e;
        }
        return bits < MIN_VECTOR_BITS ? "widest vector is " + bits + "-bit, need " + MIN_VECTOR_BITS : null;
    }

    /**
     * The kernel for {@code mode} ({@code auto}, {@code scalar} or {@code vector}, case-insensitive),
     * given why the vector kernel is unavailable ({@code null} if it is available).
     *
     * @throws IllegalStateException for {@code vector} when the vector kernel is unavailable
     * @throws IllegalArgumentException for any other mode
     */
    static CodingKernel choose(String mode, String vectorUnavailable) {
        return switch (mode.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> vectorUnavailable == null ? VectorKernel.INSTANCE : TableKernel.INSTANCE;
            case "scalar" -> TableKernel.INSTANCE;
            case "vector" -> {
                if (vectorUnavailable != null) {
                    throw new IllegalStateException(PROPERTY + "=vector but " + vectorUnavailable);
                }
                yield VectorKernel.INSTANCE;
            }
            default -> throw new IllegalArgumentException(
                    PROPERTY + " must be auto, scalar or vector, not '" + mode + "'");
        };
    }

    private static CodingKernel selectAndLog() {
        String mode = System.getProperty(PROPERTY, "auto");
        String unavailable = vectorUnavailableReason();
        CodingKernel kernel = choose(mode, unavailable);
        if (kernel instanceof TableKernel) {
            LOG.info("erasure coder: scalar ({})", unavailable != null ? unavailable : PROPERTY + "=" + mode);
        } else {
            LOG.info("erasure coder: {}", kernel.description());
        }
        return kernel;
    }
}
