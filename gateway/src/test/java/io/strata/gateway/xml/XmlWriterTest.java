package io.strata.gateway.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;

class XmlWriterTest {
    /** Texts XML 1.0 cannot carry in any form, not even as a character reference. */
    private static final String[] UNREPRESENTABLE = {"a\u0000b", "a\u0001b", "\u001f", "a\uFFFEb", "\uFFFF", "lone \uD800 high",
            "lone \uDC00 low", "high at end \uD83D"};
    private static final String[] REPRESENTABLE = {"", "plain", "tab\tnew\nline\rreturn", "<&>\"'", "ü 日本語 🚀", "\uFFFD", "\uE000"};

    @Test
    void representableAcceptsXmlCharactersAndRefusesTheRest() {
        for (String s : REPRESENTABLE) assertTrue(XmlWriter.representable(s), s);
        for (String s : UNREPRESENTABLE) assertFalse(XmlWriter.representable(s), s);
    }

    @Test
    void everyTextMakesAWellFormedDocumentAndRepresentableTextsRoundTrip() throws Exception {
        for (String s : REPRESENTABLE) {
            assertEquals(s, parse(XmlWriter.create().bareRoot("Error").element("Key", s).toBytes()), s);
        }
        for (String s : UNREPRESENTABLE) {
            String parsed = parse(XmlWriter.create().bareRoot("Error").element("Key", s).toBytes());
            assertTrue(parsed.contains("\uFFFD"), "replaced in " + parsed);
        }
    }

    @Test
    void escapesMarkupWhereverItStandsAndWritesNumbersAsText() {
        String xml = new String(XmlWriter.create().bareRoot("R").element("A", "plain<then&more\"'>")
                .element("B", "x\ty").element("C", -42L).element("D", Long.MAX_VALUE).element("E", "\u00fc\uD83D\uDE80<")
                .toBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R><A>plain&lt;then&amp;more&quot;&apos;&gt;</A>"
                + "<B>x&#9;y</B><C>-42</C><D>9223372036854775807</D><E>\u00fc\uD83D\uDE80&lt;</E></R>", xml);
    }

    private static String parse(byte[] xml) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml)).getDocumentElement()
                .getElementsByTagName("Key").item(0).getTextContent();
    }
}
