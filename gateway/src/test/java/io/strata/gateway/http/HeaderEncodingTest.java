package io.strata.gateway.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Non-ASCII header values: read back as the client signed them, and RFC 2047 as S3 answers them. */
class HeaderEncodingTest {

    @Test
    void receivedBytesDecodeAsUtf8WhenValidElseAsLatin1() {
        byte[] utf8 = "café 日本".getBytes(StandardCharsets.UTF_8);
        assertEquals("café 日本", HeaderBytes.decode(utf8, 0, utf8.length));
        byte[] latin1 = "xcafé".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("café", HeaderBytes.decode(latin1, 1, latin1.length - 1));
    }

    @Test
    void nonAsciiValuesAreAnsweredAsOneUtf8EncodedWord() {
        assertEquals("plain ascii", Encoding.rfc2047Encode("plain ascii"));
        assertEquals("=?UTF-8?B?Y2Fmw6k=?=", Encoding.rfc2047Encode("café"));
    }

    @Test
    void encodedWordsAreDecodedBeforeStoring() {
        assertEquals("café", Encoding.rfc2047Decode("=?UTF-8?B?Y2Fmw6k=?="));
        assertEquals("café ü", Encoding.rfc2047Decode("=?utf-8?q?caf=C3=A9_=C3=BC?="));
        assertEquals("ab", Encoding.rfc2047Decode("=?UTF-8?B?YQ==?= =?UTF-8?B?Yg==?="));
        assertEquals("x é y", Encoding.rfc2047Decode("x =?ISO-8859-1?Q?=E9?= y"));
        assertEquals("=?KOI8-R?B?xxx?= stays", Encoding.rfc2047Decode("=?KOI8-R?B?xxx?= stays"));
        assertEquals("=?UTF-8?B?!!!?=", Encoding.rfc2047Decode("=?UTF-8?B?!!!?="));
        assertEquals("plain", Encoding.rfc2047Decode("plain"));
    }
}
