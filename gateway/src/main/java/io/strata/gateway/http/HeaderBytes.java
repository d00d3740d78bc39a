package io.strata.gateway.http;

import io.helidon.http.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Header values as the client sent them when they hold bytes outside ASCII. Helidon decodes every
 * request header as US-ASCII, turning each such byte into U+FFFD, which loses non-ASCII user
 * metadata and breaks its signature (the signer hashed the bytes it sent). The parsed header still
 * holds the received bytes: this reads them back and decodes them the way signers produced them:
 * valid UTF-8 as UTF-8 (curl, the Go and JavaScript SDKs send the UTF-8 they signed), anything else
 * as ISO-8859-1 (the Java SDKs sign the UTF-8 of a string but put each character on the wire as
 * one byte). The canonical request then hashes the same bytes the client hashed.
 *
 * <p>Helidon offers no API for the raw bytes, so this reads two private fields of its lazily decoded
 * header value. Should a Helidon upgrade move them, the value stays as Helidon decoded it (and such
 * a request fails its signature as before), logged once. Thread-safe.
 */
public final class HeaderBytes {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderBytes.class);
    private static final Field LAZY_VALUE = field("io.helidon.http.HeaderValueLazy", "value");
    private static final Field[] LAZY_STRING = {
            field("io.helidon.common.buffers.LazyString", "buffer"),
            field("io.helidon.common.buffers.LazyString", "offset"),
            field("io.helidon.common.buffers.LazyString", "length")};

    private HeaderBytes() {
    }

    /**
     * The header's value decoded from the bytes received, when Helidon's ASCII decoding replaced some
     * of them (a U+FFFD in {@code decoded}); empty when the value is plain ASCII or cannot be recovered.
     */
    public static Optional<String> recover(Header header, String decoded) {
        if (decoded.indexOf('\uFFFD') < 0 || LAZY_VALUE == null || LAZY_STRING[2] == null
                || !LAZY_VALUE.getDeclaringClass().isInstance(header)) {
            return Optional.empty();
        }
        try {
            Object lazy = LAZY_VALUE.get(header);
            byte[] buffer = (byte[]) LAZY_STRING[0].get(lazy);
            int offset = LAZY_STRING[1].getInt(lazy);
            int length = LAZY_STRING[2].getInt(lazy);
            return Optional.of(decode(buffer, offset, length).strip());
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("header {} not recovered: {}", header.name(), e.toString());
            return Optional.empty();
        }
    }

    /** UTF-8 when the bytes are valid UTF-8, else ISO-8859-1 (every byte one character). */
    static String decode(byte[] buffer, int offset, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buffer, offset, length)).toString();
        } catch (CharacterCodingException e) {
            return new String(buffer, offset, length, StandardCharsets.ISO_8859_1);
        }
    }

    private static Field field(String className, String name) {
        try {
            Field f = Class.forName(className).getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("non-ASCII header values cannot be read as sent ({}.{} not accessible: {})", className, name,
                    e.toString());
            return null;
        }
    }
}
