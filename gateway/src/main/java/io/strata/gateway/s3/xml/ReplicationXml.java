package io.strata.gateway.s3.xml;

import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.xml.XmlReader;
import io.strata.gateway.xml.XmlWriter;
import io.strata.tiering.replication.ReplicationConfiguration;
import io.strata.tiering.replication.ReplicationConfiguration.Destination;
import io.strata.tiering.replication.ReplicationConfiguration.Filter;
import io.strata.tiering.replication.ReplicationConfiguration.Rule;
import io.strata.tiering.replication.ReplicationConfiguration.Setting;
import io.strata.tiering.replication.ReplicationTarget;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The XML of Put/GetBucketReplication: parsing into a {@link ReplicationConfiguration} with S3's
 * validation and errors, and writing a configuration back as GET answers it. Two schemas coexist, as on
 * S3: the first, whose rules select objects by a rule-level {@code <Prefix>}, and the current one, whose
 * rules carry a {@code <Filter>} (Prefix, Tag or And) and then need {@code <Priority>} and
 * {@code <DeleteMarkerReplication>} ("Replication configuration", "Backward compatibility considerations",
 * AWS S3 User Guide). Refusals: MalformedXML for what the schema forbids; InvalidRequest with S3's
 * messages for what the replication rules refuse; InvalidArgument for bad values; NotImplemented for
 * the S3 features Strata does not offer (Replication Time Control, metrics, KMS, owner override).
 * Whether the destinations resolve to targets, and whether versioning is Enabled, is the handler's to
 * check. Stateless and thread-safe.
 */
public final class ReplicationXml {
    static final int MAX_ID_LENGTH = 255;
    /** S3's storage classes (the schema's enumeration for Destination/StorageClass). */
    static final Set<String> STORAGE_CLASSES = Set.of("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
            "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE");
    private static final String SCHEMA_HINT = " Please refer to S3 Developer Guide for more information.";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ReplicationXml() {
    }

    /**
     * Parses and validates a PutBucketReplication body; a rule without an ID is given one, as S3 does.
     *
     * @throws S3Exception MALFORMED_XML, INVALID_REQUEST, INVALID_ARGUMENT, INVALID_STORAGE_CLASS, NOT_IMPLEMENTED
     */
    public static ReplicationConfiguration parseRequest(byte[] body) {
        XmlReader doc;
        try {
            doc = XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
        Element root = doc.root();
        if (!doc.rootName().equals("ReplicationConfiguration") || XmlReader.hasOtherChildren(root, "Role", "Rule")) {
            throw malformed();
        }
        single(root, "Role");
        String role = XmlReader.text(root, "Role").map(String::trim).orElseThrow(ReplicationXml::malformed);
        if (role.isEmpty()) throw invalidArgument("Invalid Role: the Role must not be empty.");
        List<Element> ruleElements = XmlReader.children(root, "Rule");
        if (ruleElements.isEmpty() || ruleElements.size() > ReplicationConfiguration.MAX_RULES) throw malformed();
        List<Rule> rules = new ArrayList<>(ruleElements.size());
        for (Element e : ruleElements) rules.add(rule(e));
        checkAcrossRules(rules);
        return new ReplicationConfiguration(role, rules);
    }

    private static Rule rule(Element e) {
        if (XmlReader.hasOtherChildren(e, "ID", "Priority", "Prefix", "Filter", "Status", "SourceSelectionCriteria",
                "ExistingObjectReplication", "Destination", "DeleteMarkerReplication")) {
            throw malformed();
        }
        for (String name : List.of("ID", "Priority", "Prefix", "Filter", "Status", "SourceSelectionCriteria",
                "ExistingObjectReplication", "Destination", "DeleteMarkerReplication")) {
            single(e, name);
        }
        String id = XmlReader.text(e, "ID").map(String::trim).filter(s -> !s.isEmpty()).orElseGet(ReplicationXml::randomId);
        if (id.length() > MAX_ID_LENGTH) throw invalidArgument("ID length should not exceed allowed limit of 255");
        boolean enabled = status(e);

        OptionalInt priority = OptionalInt.empty();
        Optional<String> priorityText = XmlReader.text(e, "Priority").map(String::trim);
        if (priorityText.isPresent()) {
            long p;
            try {
                p = Long.parseLong(priorityText.get());
            } catch (NumberFormatException x) {
                throw malformed();
            }
            if (p < 0 || p > Integer.MAX_VALUE) throw invalidArgument("Priority must be a non-negative integer: " + p);
            priority = OptionalInt.of((int) p);
        }

        Optional<Element> filterElement = XmlReader.child(e, "Filter");
        Optional<String> rulePrefix = XmlReader.text(e, "Prefix");
        // One of the two schemas: a rule-level Prefix (the first) or a Filter (the current one).
        if (filterElement.isPresent() == rulePrefix.isPresent()) throw malformed();
        Filter filter = filterElement.map(ReplicationXml::filter)
                .orElseGet(() -> new Filter(rulePrefix.get(), Map.of(), Filter.Form.RULE_PREFIX));

        Setting deleteMarkers = setting(e, "DeleteMarkerReplication");
        Setting existing = setting(e, "ExistingObjectReplication");
        Setting replicaModifications = Setting.ABSENT;
        Setting sseKms = Setting.ABSENT;
        Optional<Element> criteria = XmlReader.child(e, "SourceSelectionCriteria");
        if (criteria.isPresent()) {
            if (XmlReader.hasOtherChildren(criteria.get(), "SseKmsEncryptedObjects", "ReplicaModifications")) throw malformed();
            single(criteria.get(), "SseKmsEncryptedObjects");
            single(criteria.get(), "ReplicaModifications");
            replicaModifications = setting(criteria.get(), "ReplicaModifications");
            sseKms = setting(criteria.get(), "SseKmsEncryptedObjects");
            if (sseKms.enabled()) {
                throw new S3Exception(S3Error.NOT_IMPLEMENTED, "SseKmsEncryptedObjects cannot be Enabled: Strata has no "
                        + "KMS and stores no SSE-KMS objects to replicate.");
            }
        }
        Destination destination = destination(XmlReader.child(e, "Destination").orElseThrow(ReplicationXml::malformed));

        if (filter.form() != Filter.Form.RULE_PREFIX) {
            // The current schema: these messages are S3's for a rule with a Filter that lacks them.
            if (priority.isEmpty()) {
                throw invalidRequest("Priority must be specified for this version of Cross Region Replication "
                        + "configuration schema." + SCHEMA_HINT);
            }
            if (deleteMarkers == Setting.ABSENT) {
                throw invalidRequest("DeleteMarkerReplication must be specified for this version of Cross Region "
                        + "Replication configuration schema." + SCHEMA_HINT);
            }
            if (!filter.tags().isEmpty() && deleteMarkers.enabled()) {
                throw invalidRequest("Delete marker replication is not supported if any Tag filter is specified."
                        + SCHEMA_HINT);
            }
        }
        return new Rule(id, priority, enabled, filter, deleteMarkers, existing, replicaModifications, sseKms, destination);
    }

    /** Rules IDs unique; one schema for all rules; current schema: priorities unique; first: no overlapping prefixes. */
    private static void checkAcrossRules(List<Rule> rules) {
        Set<String> ids = new HashSet<>();
        for (Rule r : rules) {
            if (!ids.add(r.id())) throw invalidArgument("Rule ID must be unique. Found same ID for more than one rule");
        }
        long legacy = rules.stream().filter(r -> r.filter().form() == Filter.Form.RULE_PREFIX).count();
        if (legacy != 0 && legacy != rules.size()) {
            throw invalidRequest("Rules of both schemas in one configuration: either every rule has a Filter (with "
                    + "Priority and DeleteMarkerReplication) or every rule has a rule-level Prefix." + SCHEMA_HINT);
        }
        if (legacy == 0) {
            Map<Integer, String> byPriority = new HashMap<>();
            for (Rule r : rules) {
                String other = byPriority.putIfAbsent(r.priority().getAsInt(), r.id());
                if (other != null) {
                    throw invalidRequest("Found duplicate priority " + r.priority().getAsInt() + " in rules '" + other
                            + "' and '" + r.id() + "': each rule needs its own Priority.");
                }
            }
            return;
        }
        // The first schema has no priorities: two rules selecting the same object for the same destination
        // would leave the choice open, so S3 refuses overlapping prefixes.
        for (int i = 0; i < rules.size(); i++) {
            for (int j = i + 1; j < rules.size(); j++) {
                Rule a = rules.get(i);
                Rule b = rules.get(j);
                String pa = a.filter().prefix();
                String pb = b.filter().prefix();
                if (a.destination().bucketArn().equals(b.destination().bucketArn()) && (pa.startsWith(pb) || pb.startsWith(pa))) {
                    throw invalidRequest("Found overlapping prefixes '" + pa + "' and '" + pb + "' for same destination bucket");
                }
            }
        }
    }

    private static Filter filter(Element f) {
        if (XmlReader.hasOtherChildren(f, "Prefix", "Tag", "And")) throw malformed();
        int predicates = elementCount(f);
        if (predicates == 0) return new Filter("", Map.of(), Filter.Form.EMPTY);
        if (predicates > 1) throw malformed();   // several conditions must be wrapped in And
        Optional<Element> and = XmlReader.child(f, "And");
        Element conditions = and.orElse(f);
        if (and.isPresent()) {
            if (XmlReader.hasOtherChildren(conditions, "Prefix", "Tag")) throw malformed();
            single(conditions, "Prefix");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (Element t : XmlReader.children(conditions, "Tag")) {
            if (XmlReader.hasOtherChildren(t, "Key", "Value")) throw malformed();
            single(t, "Key");
            single(t, "Value");
            String key = XmlReader.text(t, "Key").orElseThrow(ReplicationXml::malformed);
            String value = XmlReader.text(t, "Value").orElseThrow(ReplicationXml::malformed);
            if (key.isEmpty() || key.length() > 128) throw invalidArgument("The TagKey you have provided is invalid");
            if (value.length() > 256) throw invalidArgument("The TagValue you have provided is invalid");
            if (tags.put(key, value) != null) throw invalidArgument("Duplicate Tag Keys are not allowed.");
        }
        return new Filter(XmlReader.text(conditions, "Prefix").orElse(""), tags,
                and.isPresent() ? Filter.Form.AND : Filter.Form.SINGLE);
    }

    private static Destination destination(Element d) {
        for (String unsupported : List.of("Account", "AccessControlTranslation", "EncryptionConfiguration",
                "ReplicationTime", "Metrics")) {
            if (XmlReader.child(d, unsupported).isPresent()) {
                throw new S3Exception(S3Error.NOT_IMPLEMENTED, "Destination/" + unsupported
                        + " is not supported by Strata's replication.");
            }
        }
        if (XmlReader.hasOtherChildren(d, "Bucket", "StorageClass")) throw malformed();
        single(d, "Bucket");
        single(d, "StorageClass");
        String arn = XmlReader.text(d, "Bucket").map(String::trim).orElseThrow(ReplicationXml::malformed);
        if (ReplicationTarget.bucketOf(arn).isEmpty()) {
            throw invalidArgument("Invalid Destination Bucket: '" + arn + "' is not a bucket ARN (arn:aws:s3:::BUCKET).");
        }
        Optional<String> storageClass = XmlReader.text(d, "StorageClass").map(String::trim);
        if (storageClass.isPresent() && !STORAGE_CLASSES.contains(storageClass.get())) {
            throw new S3Exception(S3Error.INVALID_STORAGE_CLASS);
        }
        return new Destination(arn, storageClass);
    }

    /** A rule's required Status: Enabled or Disabled. */
    private static boolean status(Element e) {
        String status = XmlReader.text(e, "Status").map(String::trim).orElseThrow(ReplicationXml::malformed);
        if (!status.equals("Enabled") && !status.equals("Disabled")) throw malformed();
        return status.equals("Enabled");
    }

    /** An optional element holding only a required Status. */
    private static Setting setting(Element parent, String name) {
        Optional<Element> e = XmlReader.child(parent, name);
        if (e.isEmpty()) return Setting.ABSENT;
        if (XmlReader.hasOtherChildren(e.get(), "Status")) throw malformed();
        single(e.get(), "Status");
        return status(e.get()) ? Setting.ENABLED : Setting.DISABLED;
    }

    /** The schema allows {@code name} at most once under {@code parent}. */
    private static void single(Element parent, String name) {
        if (XmlReader.children(parent, name).size() > 1) throw malformed();
    }

    private static int elementCount(Element parent) {
        int n = 0;
        for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element) n++;
        }
        return n;
    }

    private static String randomId() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    /**
     * The GetBucketReplication body for {@code c}: each rule's filter in the form the client wrote it and
     * the optional elements it gave, in the schema's order.
     */
    public static byte[] write(ReplicationConfiguration c) {
        XmlWriter xml = XmlWriter.create().root("ReplicationConfiguration").element("Role", c.role());
        for (Rule r : c.rules()) {
            xml.start("Rule").element("ID", r.id());
            r.priority().ifPresent(p -> xml.element("Priority", p));
            writeFilter(xml, r.filter());
            xml.element("Status", r.enabled() ? "Enabled" : "Disabled");
            if (r.sseKmsEncryptedObjects() != Setting.ABSENT || r.replicaModifications() != Setting.ABSENT) {
                xml.start("SourceSelectionCriteria");
                writeSetting(xml, "SseKmsEncryptedObjects", r.sseKmsEncryptedObjects());
                writeSetting(xml, "ReplicaModifications", r.replicaModifications());
                xml.end();
            }
            writeSetting(xml, "ExistingObjectReplication", r.existingObjectReplication());
            xml.start("Destination").element("Bucket", r.destination().bucketArn());
            r.destination().storageClass().ifPresent(s -> xml.element("StorageClass", s));
            xml.end();
            writeSetting(xml, "DeleteMarkerReplication", r.deleteMarkerReplication());
            xml.end();
        }
        return xml.end().toBytes();
    }

    private static void writeSetting(XmlWriter xml, String name, Setting s) {
        if (s == Setting.ABSENT) return;
        xml.start(name).element("Status", s.enabled() ? "Enabled" : "Disabled").end();
    }

    private static void writeFilter(XmlWriter xml, Filter f) {
        switch (f.form()) {
            case RULE_PREFIX -> xml.element("Prefix", f.prefix());
            case EMPTY -> xml.start("Filter").end();
            case SINGLE -> {
                xml.start("Filter");
                if (!f.tags().isEmpty()) writeTags(xml, f);
                else xml.element("Prefix", f.prefix());
                xml.end();
            }
            case AND -> {
                xml.start("Filter").start("And");
                if (!f.prefix().isEmpty()) xml.element("Prefix", f.prefix());
                writeTags(xml, f);
                xml.end().end();
            }
        }
    }

    private static void writeTags(XmlWriter xml, Filter f) {
        f.tags().forEach((k, v) -> xml.start("Tag").element("Key", k).element("Value", v).end());
    }

    private static S3Exception malformed() {
        return new S3Exception(S3Error.MALFORMED_XML);
    }

    private static S3Exception invalidRequest(String message) {
        return new S3Exception(S3Error.INVALID_REQUEST, message);
    }

    private static S3Exception invalidArgument(String message) {
        return new S3Exception(S3Error.INVALID_ARGUMENT, message);
    }
}
