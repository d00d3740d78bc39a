package io.strata.gateway.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds the XML reader random and adversarial bodies. Each must end in a document or the reader's
 * own refusal (IllegalArgumentException, which callers answer with MalformedXML), at a cost bounded
 * by a constant times the body's length: counted in operations, never in wall-clock time.
 */
class XmlReaderFuzzTest {
    private static final int INPUTS = 3000;
    private static final long PER_BYTE = 2;
    private static final long CONSTANT = 16;

    static final String[] FRAGMENTS = {
            "<", ">", "</", "/>", "<a>", "</a>", "<Rule>", "</Rule>", "<Key>", "</Key>", "<Object>", "</Object>",
            "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">", "</Delete>", "<Tag>", "</Tag>",
            "<Filter><And>", "</And></Filter>", "&amp;", "&lt;", "&#65;", "&#x10FFFF;", "&#xFFFFFFFF;", "&bogus;",
            "<![CDATA[", "]]>", "<!--", "-->", "<?pi x?>", "<?xml version=\"1.0\"?>", "<!DOCTYPE a [<!ENTITY e \"x\">]>",
            "<!DOCTYPE a SYSTEM \"file:///etc/passwd\">", "&e;", " a=\"1\"", " xmlns:p=\"u\"", "<p:x>", "</p:x>", "\"",
            "'", "=", " ", "\n", "\u0000", "\u00e9", "\uFFFF", "1", "99999999999999999999", "-1", "x".repeat(300)};

    private static final String TEMPLATE = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ID>r</ID>"
            + "<Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>"
            + "<ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status>"
            + "<Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>";

    @Test
    void everyBodyEndsInADocumentOrMalformedXmlWithinItsWorkBudget() {
        Random random = new Random(21);
        for (int i = 0; i < INPUTS; i++) {
            byte[] body = body(random);
            // One parse: work() lets only the reader's own refusal through, so any other exception
            // fails the test. Refused or parsed, the budget holds: a refusal found late is work too.
            long work = XmlReader.work(body);
            assertTrue(work <= PER_BYTE * body.length + CONSTANT, "work " + work + " for " + body.length + " bytes: " + show(body));
        }
    }

    @Test
    void limitsAreRefusedAsMalformed() {
        List<String> refused = List.of(
                "<a>".repeat(XmlReader.MAX_DEPTH + 1) + "</a>".repeat(XmlReader.MAX_DEPTH + 1),
                "<a>" + "<b/>".repeat(XmlReader.MAX_ELEMENTS) + "</a>",
                "<a>" + "x".repeat(XmlReader.MAX_TEXT + 1) + "</a>",
                "<a>" + "&#65;".repeat(XmlReader.MAX_TEXT + 1) + "</a>",
                "<a>" + "x".repeat(XmlReader.MAX_TEXT) + "<b/>" + "x".repeat(10) + "</a>",
                "<a x0=\"1\"" + attributes(XmlReader.MAX_ATTRIBUTES) + "/>",
                "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>",
                "<!DOCTYPE a [<!ENTITY a0 \"x\"><!ENTITY a1 \"&a0;&a0;&a0;&a0;&a0;&a0;&a0;&a0;\">]><a>&a1;</a>",
                "<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>",
                "<a>&bogus;</a>",
                "",
                "<a>",
                "<a></b>");
        for (String xml : refused) {
            byte[] body = xml.getBytes(StandardCharsets.UTF_8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> XmlReader.parse(body), show(body));
            assertTrue(e.getMessage().startsWith("malformed XML"), e.getMessage());
            assertTrue(XmlReader.work(body) <= PER_BYTE * body.length + CONSTANT, "work for " + show(body));
        }
    }

    @Test
    void documentsWithinTheLimitsParseAsBefore() {
        String atLimit = "<a>".repeat(XmlReader.MAX_DEPTH) + "x".repeat(XmlReader.MAX_TEXT) + "</a>".repeat(XmlReader.MAX_DEPTH);
        XmlReader doc = XmlReader.parse(atLimit.getBytes(StandardCharsets.UTF_8));
        assertEquals(XmlReader.MAX_TEXT, doc.root().getTextContent().length());
        XmlReader s3 = XmlReader.parse(TEMPLATE.getBytes(StandardCharsets.UTF_8));
        assertEquals("LifecycleConfiguration", s3.rootName());
        assertEquals("logs/", XmlReader.text(XmlReader.child(XmlReader.child(XmlReader.child(s3.root(), "Rule").orElseThrow(),
                "Filter").orElseThrow(), "And").orElseThrow(), "Prefix").orElseThrow());
        assertEquals("http://s3.amazonaws.com/doc/2006-03-01/", s3.root().getNamespaceURI());
        assertEquals("a<b&c", XmlReader.parse("<k>a&lt;b<![CDATA[&c]]></k>".getBytes(StandardCharsets.UTF_8)).root().getTextContent());
    }

    private static String attributes(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) b.append(" y").append(i).append("=\"1\"");
        return b.toString();
    }

    /** Random fragments, a mutated lifecycle document, or random bytes; sometimes truncated. */
    static byte[] body(Random random) {
        byte[] b = switch (random.nextInt(4)) {
            case 0 -> {
                StringBuilder s = new StringBuilder();
                int n = random.nextInt(80);
                for (int i = 0; i < n; i++) s.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                yield s.toString().getBytes(StandardCharsets.UTF_8);
            }
            case 1, 2 -> {
                StringBuilder s = new StringBuilder(TEMPLATE);
                int edits = random.nextInt(4);
                for (int i = 0; i < edits; i++) {
                    s.insert(random.nextInt(s.length() + 1), FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                }
                yield s.toString().getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                byte[] r = new byte[random.nextInt(300)];
                random.nextBytes(r);
                yield r;
            }
        };
        return random.nextInt(5) == 0 && b.length > 0 ? java.util.Arrays.copyOf(b, random.nextInt(b.length)) : b;
    }

    static String show(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        return s.length() <= 160 ? s : s.substring(0, 160) + "... (" + body.length + " bytes)";
    }
}
