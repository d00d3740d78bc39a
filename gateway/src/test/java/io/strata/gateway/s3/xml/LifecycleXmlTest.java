package io.strata.gateway.s3.xml;

import io.strata.tiering.lifecycle.LifecycleConfiguration;
import io.strata.tiering.lifecycle.LifecycleConfigurationCodec;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Rule;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifecycleXmlTest {
    private static final String NS = "http://s3.amazonaws.com/doc/2006-03-01/";

    private static byte[] config(String rules) {
        return ("<LifecycleConfiguration xmlns=\"" + NS + "\">" + rules + "</LifecycleConfiguration>")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String rule(String body) {
        return "<Rule><ID>r</ID><Status>Enabled</Status>" + body + "</Rule>";
    }

    private static LifecycleConfiguration parse(String rules) {
        return LifecycleXml.parseRequest(config(rules));
    }

    @Test
    void parsesEveryElement() {
        LifecycleConfiguration c = parse("<Rule><ID>all</ID><Status>Disabled</Status>"
                + "<Filter><And><Prefix>logs/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value></Value></Tag>"
                + "<ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>1000</ObjectSizeLessThan></And></Filter>"
                + "<Expiration><Days>30</Days></Expiration>"
                + "<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>"
                + "<Transition><Date>2030-01-01T00:00:00.000Z</Date><StorageClass>GLACIER</StorageClass></Transition>"
                + "<NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>"
                + "<NoncurrentVersionTransition><NoncurrentDays>0</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>"
                + "</Rule>"
                + "<Rule><ID>legacy</ID><Prefix>tmp/</Prefix><Status>Enabled</Status>"
                + "<Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration>"
                + "<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>"
                + "<Rule><ID>markers</ID><Filter></Filter><Status>Enabled</Status>"
                + "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>");
        Rule all = c.rules().get(0);
        assertFalse(all.enabled());
        assertEquals("logs/", all.filter().prefix());
        assertEquals(Map.of("a", "1", "b", ""), all.filter().tags());
        assertEquals(10, all.filter().sizeGreaterThan().getAsLong());
        assertEquals(1000, all.filter().sizeLessThan().getAsLong());
        assertEquals(30, all.expiration().get().days().getAsInt());
        assertEquals(2, all.transitions().size());
        assertEquals(7, all.noncurrentExpiration().get().noncurrentDays());
        assertEquals(3, all.noncurrentExpiration().get().newerNoncurrentVersions().getAsInt());
        assertEquals("GLACIER", all.noncurrentTransitions().getFirst().storageClass());
        Rule legacy = c.rules().get(1);
        assertEquals("tmp/", legacy.filter().prefix());
        assertEquals(Instant.parse("2030-01-01T00:00:00Z"), legacy.expiration().get().date().get());
        assertEquals(2, legacy.abortIncompleteMultipartUploadDays().getAsInt());
        assertTrue(c.rules().get(2).expiration().get().expiredObjectDeleteMarker());
        assertEquals("", c.rules().get(2).filter().prefix());
    }

    @Test
    void singleConditionFilters() {
        assertEquals(Map.of("k", "v"), parse(rule("<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>"
                + "<Expiration><Days>1</Days></Expiration>")).rules().getFirst().filter().tags());
        assertEquals(5, parse(rule("<Filter><ObjectSizeGreaterThan>5</ObjectSizeGreaterThan></Filter>"
                + "<Expiration><Days>1</Days></Expiration>")).rules().getFirst().filter().sizeGreaterThan().getAsLong());
        assertEquals("p", parse(rule("<Filter><Prefix>p</Prefix></Filter>"
                + "<Expiration><Days>1</Days></Expiration>")).rules().getFirst().filter().prefix());
    }

    @Test
    void aRuleWithoutIdGetsOneAndTheStoredConfigurationCarriesIt() {
        LifecycleConfiguration c = LifecycleXml.parseRequest(config("<Rule><Status>Enabled</Status><Filter/>"
                + "<Expiration><Days>1</Days></Expiration></Rule>"));
        String id = c.rules().getFirst().id();
        assertEquals(48, id.length());
        LifecycleConfiguration stored = LifecycleConfigurationCodec.decode(LifecycleConfigurationCodec.encode(c));
        assertEquals(id, stored.rules().getFirst().id());
        assertTrue(new String(LifecycleXml.write(stored), StandardCharsets.UTF_8).contains("<ID>" + id + "</ID>"));
    }

    /** What GET answers: every filter in the form it was sent, every action, dates as S3 writes them. */
    @Test
    void writesTheConfigurationBackInTheFormItWasGiven() {
        String rules = "<Rule><ID>and</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>z</Key><Value>1</Value></Tag>"
                + "<Tag><Key>a</Key><Value></Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan>"
                + "<ObjectSizeLessThan>1000</ObjectSizeLessThan></And></Filter><Status>Disabled</Status>"
                + "<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>"
                + "<Transition><Date>2030-01-01T00:00:00.000Z</Date><StorageClass>GLACIER</StorageClass></Transition>"
                + "<Expiration><Days>365</Days></Expiration>"
                + "<NoncurrentVersionTransition><NoncurrentDays>0</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions>"
                + "<StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>"
                + "<NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays></NoncurrentVersionExpiration></Rule>"
                + "<Rule><ID>legacy</ID><Prefix>tmp/</Prefix><Status>Enabled</Status>"
                + "<Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>"
                + "<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>"
                + "<Rule><ID>empty</ID><Filter></Filter><Status>Enabled</Status>"
                + "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>"
                + "<Rule><ID>empty-prefix</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>"
                + "<Expiration><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker></Expiration></Rule>"
                + "<Rule><ID>tag</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>"
                + "<Expiration><Days>1</Days></Expiration></Rule>"
                + "<Rule><ID>size</ID><Filter><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter><Status>Enabled</Status>"
                + "<Expiration><Days>1</Days></Expiration></Rule>";
        String written = new String(LifecycleXml.write(parse(rules)), StandardCharsets.UTF_8);
        assertEquals("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + new String(config(rules), StandardCharsets.UTF_8),
                written);
        assertEquals(parse(rules), LifecycleXml.parseRequest(written.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void thousandRulesAreAcceptedAndOneMoreIsNot() {
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            rules.append("<Rule><ID>r").append(i).append("</ID><Status>Enabled</Status><Filter/>")
                    .append("<Expiration><Days>1</Days></Expiration></Rule>");
        }
        assertEquals(1000, parse(rules.toString()).rules().size());
        rules.append("<Rule><ID>one-more</ID><Status>Enabled</Status><Filter/><Expiration><Days>1</Days></Expiration></Rule>");
        assertEquals(S3Error.MALFORMED_XML, assertThrows(S3Exception.class, () -> parse(rules.toString())).error());
    }

    @Test
    void anIdOf255CharactersIsAcceptedAnd256IsNot() {
        String ok = "x".repeat(255);
        assertEquals(ok, parse("<Rule><ID>" + ok + "</ID><Status>Enabled</Status><Filter/><Expiration><Days>1</Days></Expiration></Rule>")
                .rules().getFirst().id());
        S3Exception e = assertThrows(S3Exception.class, () -> parse("<Rule><ID>" + ok + "x</ID><Status>Enabled</Status>"
                + "<Filter/><Expiration><Days>1</Days></Expiration></Rule>"));
        assertEquals(S3Error.INVALID_ARGUMENT, e.error());
        assertEquals("ID length should not exceed allowed limit of 255", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "not xml | <LifecycleConfiguration><Rule> | MALFORMED_XML | ",
            "wrong root | <Lifecycle><Rule/></Lifecycle> | MALFORMED_XML | ",
            "no rules | <LifecycleConfiguration/> | MALFORMED_XML | ",
            "unknown element | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Expiration><Days>1</Days></Expiration><Bogus/></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "no status | <LifecycleConfiguration><Rule><ID>r</ID><Filter/><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "bad status | <LifecycleConfiguration><Rule><ID>r</ID><Status>enabled</Status><Filter/><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "filter and prefix | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Prefix>a</Prefix><Filter/><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "neither filter nor prefix | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "two conditions without And | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "days and date | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "days and marker | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "empty expiration | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Expiration/></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "days not a number | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Expiration><Days>ten</Days></Expiration></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "two expirations | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Expiration><Days>1</Days></Expiration><Expiration><Days>2</Days></Expiration></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "transition without storage class | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Transition><Days>1</Days></Transition></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "malformed storage class | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Transition><Days>1</Days><StorageClass>cold tier</StorageClass></Transition></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "noncurrent expiration without days | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><NoncurrentVersionExpiration/></Rule></LifecycleConfiguration> | MALFORMED_XML | ",
            "days zero | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Expiration><Days>0</Days></Expiration></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | 'Days' for Expiration action must be a positive integer",
            "date not midnight | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | 'Date' must be at midnight GMT",
            "noncurrent days zero | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | 'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
            "newer noncurrent zero | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | 'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to 100",
            "abort days zero | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | 'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
            "no action | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | At least one action needs to be specified in a rule",
            "duplicate ids | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Expiration><Days>1</Days></Expiration></Rule><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Expiration><Days>2</Days></Expiration></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | Rule ID must be unique. Found same ID for more than one rule",
            "marker with tags | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | ExpiredObjectDeleteMarker cannot be specified with object tags",
            "abort with tags | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | AbortIncompleteMultipartUpload cannot be specified with Tags",
            "duplicate tag keys | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter><And><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k</Key><Value>w</Value></Tag></And></Filter><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | Duplicate Tag Keys are not allowed.",
            "sizes crossed | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter><And><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | ObjectSizeGreaterThan must be less than ObjectSizeLessThan",
            "ia transition under 30 days | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Transition><Days>10</Days><StorageClass>STANDARD_IA</StorageClass></Transition></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | 'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'",
            "negative transition days | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Transition><Days>-1</Days><StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | 'Days' for Transition action must be a nonnegative integer",
            "ia noncurrent transition under 30 days | <LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays><StorageClass>ONEZONE_IA</StorageClass></NoncurrentVersionTransition></Rule></LifecycleConfiguration> | INVALID_ARGUMENT | 'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass 'ONEZONE_IA'",
    })
    void refusesAsS3Does(String name, String xml, S3Error error, String message) {
        S3Exception e = assertThrows(S3Exception.class,
                () -> LifecycleXml.parseRequest(xml.getBytes(StandardCharsets.UTF_8)));
        assertEquals(error, e.error(), name);
        if (message != null) assertEquals(message, e.getMessage(), name);
    }
}
