package io.strata.gateway.s3.xml;

import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.tiering.replication.ReplicationConfiguration;
import io.strata.tiering.replication.ReplicationConfiguration.Filter;
import io.strata.tiering.replication.ReplicationConfiguration.Rule;
import io.strata.tiering.replication.ReplicationConfiguration.Setting;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationXmlTest {
    private static final String NS = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static final String ROLE = "<Role>arn:aws:iam::123456789012:role/replication</Role>";
    private static final String DEST = "<Destination><Bucket>arn:aws:s3:::west</Bucket></Destination>";
    private static final String DM_OFF = "<DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>";

    private static byte[] config(String inside) {
        return ("<ReplicationConfiguration xmlns=\"" + NS + "\">" + inside + "</ReplicationConfiguration>")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static ReplicationConfiguration parse(String inside) {
        return ReplicationXml.parseRequest(config(inside));
    }

    /** A rule of the current schema with the given id, priority and filter. */
    private static String v2(String id, int priority, String filter) {
        return "<Rule><ID>" + id + "</ID><Priority>" + priority + "</Priority>" + filter + "<Status>Enabled</Status>"
                + DEST + DM_OFF + "</Rule>";
    }

    @Test
    void parsesEveryElementOfTheCurrentSchema() {
        ReplicationConfiguration c = parse(ROLE + "<Rule><ID>all</ID><Priority>3</Priority>"
                + "<Filter><And><Prefix>logs/</Prefix><Tag><Key>b</Key><Value>2</Value></Tag><Tag><Key>a</Key><Value></Value>"
                + "</Tag></And></Filter><Status>Disabled</Status>"
                + "<SourceSelectionCriteria><ReplicaModifications><Status>Enabled</Status></ReplicaModifications>"
                + "<SseKmsEncryptedObjects><Status>Disabled</Status></SseKmsEncryptedObjects></SourceSelectionCriteria>"
                + "<ExistingObjectReplication><Status>Enabled</Status></ExistingObjectReplication>"
                + "<Destination><Bucket>arn:aws:s3:::west</Bucket><StorageClass>STANDARD_IA</StorageClass></Destination>"
                + DM_OFF + "</Rule>");
        assertEquals("arn:aws:iam::123456789012:role/replication", c.role());
        Rule r = c.rules().getFirst();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("b", "2");
        tags.put("a", "");
        assertEquals(new Rule("all", OptionalInt.of(3), false, new Filter("logs/", tags, Filter.Form.AND), Setting.DISABLED,
                Setting.ENABLED, Setting.ENABLED, Setting.DISABLED, new ReplicationConfiguration.Destination(
                        "arn:aws:s3:::west", Optional.of("STANDARD_IA"))), r);
    }

    @Test
    void everyFormIsWrittenBackAsGiven() {
        for (String inside : List.of(
                ROLE + v2("a", 1, "<Filter></Filter>") + v2("b", 2, "<Filter><Prefix>x/</Prefix></Filter>")
                        + v2("c", 3, "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>")
                        + v2("d", 4, "<Filter><And><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>"),
                ROLE + "<Rule><ID>old</ID><Prefix>logs/</Prefix><Status>Enabled</Status>" + DEST + "</Rule>"
                        + "<Rule><ID>older</ID><Prefix>data/</Prefix><Status>Disabled</Status>"
                        + "<Destination><Bucket>arn:aws:s3:::west</Bucket><StorageClass>GLACIER</StorageClass></Destination></Rule>")) {
            ReplicationConfiguration c = parse(inside);
            ReplicationConfiguration again = ReplicationXml.parseRequest(ReplicationXml.write(c));
            assertEquals(c, again);
        }
        ReplicationConfiguration legacy = parse(ROLE + "<Rule><Prefix>logs/</Prefix><Status>Enabled</Status>" + DEST + "</Rule>");
        assertEquals(Filter.Form.RULE_PREFIX, legacy.rules().getFirst().filter().form());
        assertFalse(legacy.rules().getFirst().id().isEmpty(), "a rule without an ID is given one, as S3 does");
        String written = new String(ReplicationXml.write(legacy), StandardCharsets.UTF_8);
        assertTrue(written.contains("<Prefix>logs/</Prefix>") && !written.contains("<Filter>") && !written.contains("<Priority>"),
                written);
    }

    @Test
    void thousandRulesAreAcceptedAndOneMoreIsNot() {
        StringBuilder rules = new StringBuilder(ROLE);
        for (int i = 0; i < 1000; i++) rules.append(v2("r" + i, i, "<Filter><Prefix>p" + i + "/</Prefix></Filter>"));
        assertEquals(1000, parse(rules.toString()).rules().size());
        rules.append(v2("r1000", 1000, "<Filter/>"));
        assertEquals(S3Error.MALFORMED_XML, assertThrows(S3Exception.class, () -> parse(rules.toString())).error());
    }

    /** What S3 refuses, with its code and (where S3 documents or answers one) its message. */
    @Test
    void refusesAsS3Does() {
        Object[][] cases = {
                {"not XML", "<ReplicationConfiguration", S3Error.MALFORMED_XML, null},
                {"wrong root", null, S3Error.MALFORMED_XML, null},
                {"no rules", ROLE, S3Error.MALFORMED_XML, null},
                {"no Role", v2("a", 1, "<Filter/>"), S3Error.MALFORMED_XML, null},
                {"empty Role", "<Role> </Role>" + v2("a", 1, "<Filter/>"), S3Error.INVALID_ARGUMENT, "Invalid Role"},
                {"unknown element", ROLE + v2("a", 1, "<Filter/>").replace("<Status>", "<Colour>red</Colour><Status>"),
                        S3Error.MALFORMED_XML, null},
                {"bad status", ROLE + v2("a", 1, "<Filter/>").replace("<Status>Enabled", "<Status>On"),
                        S3Error.MALFORMED_XML, null},
                {"no Status", ROLE + v2("a", 1, "<Filter/>").replace("<Status>Enabled</Status>", ""),
                        S3Error.MALFORMED_XML, null},
                {"no Destination", ROLE + v2("a", 1, "<Filter/>").replace(DEST, ""), S3Error.MALFORMED_XML, null},
                {"Filter and Prefix", ROLE + v2("a", 1, "<Prefix>x</Prefix><Filter/>"), S3Error.MALFORMED_XML, null},
                {"two conditions without And", ROLE + v2("a", 1,
                        "<Filter><Prefix>x</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter>"), S3Error.MALFORMED_XML, null},
                {"priority not a number", ROLE + v2("a", 1, "<Filter/>").replace("<Priority>1", "<Priority>high"),
                        S3Error.MALFORMED_XML, null},
                {"no Priority with Filter", ROLE + v2("a", 1, "<Filter/>").replace("<Priority>1</Priority>", ""),
                        S3Error.INVALID_REQUEST,
                        "Priority must be specified for this version of Cross Region Replication configuration schema."},
                {"no DeleteMarkerReplication with Filter", ROLE + v2("a", 1, "<Filter/>").replace(DM_OFF, ""),
                        S3Error.INVALID_REQUEST,
                        "DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema."},
                {"delete markers with a Tag filter", ROLE + v2("a", 1, "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>")
                        .replace(DM_OFF, DM_OFF.replace("Disabled", "Enabled")), S3Error.INVALID_REQUEST,
                        "Delete marker replication is not supported if any Tag filter is specified."},
                {"duplicate IDs", ROLE + v2("a", 1, "<Filter/>") + v2("a", 2, "<Filter/>"), S3Error.INVALID_ARGUMENT,
                        "Rule ID must be unique"},
                {"duplicate priorities", ROLE + v2("a", 1, "<Filter/>") + v2("b", 1, "<Filter/>"), S3Error.INVALID_REQUEST,
                        "duplicate priority 1"},
                {"both schemas", ROLE + v2("a", 1, "<Filter/>") + "<Rule><ID>b</ID><Prefix>x</Prefix><Status>Enabled</Status>"
                        + DEST + "</Rule>", S3Error.INVALID_REQUEST, "both schemas"},
                {"overlapping prefixes in the first schema", ROLE
                        + "<Rule><ID>a</ID><Prefix>logs</Prefix><Status>Enabled</Status>" + DEST + "</Rule>"
                        + "<Rule><ID>b</ID><Prefix>logs/2026</Prefix><Status>Enabled</Status>" + DEST + "</Rule>",
                        S3Error.INVALID_REQUEST, "Found overlapping prefixes 'logs' and 'logs/2026' for same destination bucket"},
                {"ID too long", ROLE + v2("x".repeat(256), 1, "<Filter/>"), S3Error.INVALID_ARGUMENT,
                        "ID length should not exceed allowed limit of 255"},
                {"duplicate tag keys", ROLE + v2("a", 1, "<Filter><And><Tag><Key>k</Key><Value>1</Value></Tag>"
                        + "<Tag><Key>k</Key><Value>2</Value></Tag></And></Filter>"), S3Error.INVALID_ARGUMENT, "Duplicate Tag Keys"},
                {"destination not a bucket ARN", ROLE + v2("a", 1, "<Filter/>").replace("arn:aws:s3:::west", "west"),
                        S3Error.INVALID_ARGUMENT, "is not a bucket ARN"},
                {"unknown storage class", ROLE + v2("a", 1, "<Filter/>").replace("</Bucket>",
                        "</Bucket><StorageClass>COLDEST</StorageClass>"), S3Error.INVALID_STORAGE_CLASS, null},
                {"Replication Time Control", ROLE + v2("a", 1, "<Filter/>").replace("</Bucket>",
                        "</Bucket><ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime>"),
                        S3Error.NOT_IMPLEMENTED, "ReplicationTime"},
                {"SSE-KMS objects", ROLE + v2("a", 1, "<Filter/>").replace("<Status>Enabled</Status>" + DEST,
                        "<Status>Enabled</Status><SourceSelectionCriteria><SseKmsEncryptedObjects><Status>Enabled</Status>"
                                + "</SseKmsEncryptedObjects></SourceSelectionCriteria>" + DEST), S3Error.NOT_IMPLEMENTED, "KMS"},
        };
        for (Object[] c : cases) {
            String name = (String) c[0];
            byte[] body = c[1] == null ? "<LifecycleConfiguration/>".getBytes(StandardCharsets.UTF_8)
                    : name.equals("not XML") ? ((String) c[1]).getBytes(StandardCharsets.UTF_8) : config((String) c[1]);
            S3Exception e = assertThrows(S3Exception.class, () -> ReplicationXml.parseRequest(body), name);
            assertEquals(c[2], e.error(), name + ": " + e.getMessage());
            if (c[3] != null) assertTrue(e.getMessage().contains((String) c[3]), name + ": " + e.getMessage());
        }
    }
}
