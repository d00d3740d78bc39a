package io.strata.gateway.s3.xml;

import io.strata.gateway.http.Encoding;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.xml.XmlReader;
import io.strata.gateway.xml.XmlWriter;
import io.strata.tiering.lifecycle.LifecycleConfiguration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Expiration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Filter;
import io.strata.tiering.lifecycle.LifecycleConfiguration.NoncurrentExpiration;
import io.strata.tiering.lifecycle.LifecycleConfiguration.NoncurrentTransition;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Rule;
import io.strata.tiering.lifecycle.LifecycleConfiguration.Transition;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The XML of Put/GetBucketLifecycleConfiguration: parsing into a {@link LifecycleConfiguration} with
 * S3's validation and errors (MalformedXML for what the schema forbids, InvalidArgument with S3's
 * messages for values it refuses), an ID given to rules that had none (S3 assigns one), and writing
 * a configuration back as GET answers it. The configuration is stored with tiering's
 * {@link io.strata.tiering.lifecycle.LifecycleConfigurationCodec}; buckets configured before that
 * hold the document as sent (kind {@link #KIND}), read with {@link #parseStored}. Stateless and thread-safe.
 */
public final class LifecycleXml {
    /** The bucket configuration kind older gateways stored the XML document under (still read). */
    public static final String KIND = "lifecycle";
    static final int MAX_ID_LENGTH = 255;
    /** The storage classes S3 accepts in transitions (the schema's enumeration). */
    static final Set<String> STORAGE_CLASSES = Set.of("GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
            "DEEP_ARCHIVE", "GLACIER_IR");
    private static final Set<String> MIN_30_DAYS = Set.of("STANDARD_IA", "ONEZONE_IA");
    private static final SecureRandom RANDOM = new SecureRandom();

    private LifecycleXml() {
    }

    /**
     * Parses and validates a request body, with S3's default transition minimum (the header sets another).
     *
     * @throws S3Exception MALFORMED_XML, INVALID_ARGUMENT
     */
    public static LifecycleConfiguration parseRequest(byte[] body) {
        return toConfiguration(read(body), true);
    }

    /** Parses a document stored by an older gateway (as sent, IDs filled in). @throws S3Exception as parseRequest */
    public static LifecycleConfiguration parseStored(byte[] document) {
        return toConfiguration(read(document), false);
    }

    private static XmlReader read(byte[] body) {
        try {
            return XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
    }

    private static LifecycleConfiguration toConfiguration(XmlReader doc, boolean assignIds) {
        if (!doc.rootName().equals("LifecycleConfiguration") || XmlReader.hasOtherChildren(doc.root(), "Rule")) {
            throw malformed();
        }
        List<Element> ruleElements = XmlReader.children(doc.root(), "Rule");
        if (ruleElements.isEmpty() || ruleElements.size() > LifecycleConfiguration.MAX_RULES) throw malformed();
        List<Rule> rules = new ArrayList<>(ruleElements.size());
        Set<String> ids = new HashSet<>();
        for (Element e : ruleElements) {
            Rule r = rule(e, assignIds);
            if (!ids.add(r.id())) throw invalid("Rule ID must be unique. Found same ID for more than one rule");
            rules.add(r);
        }
        return new LifecycleConfiguration(rules);
    }

    private static Rule rule(Element e, boolean assignId) {
        if (XmlReader.hasOtherChildren(e, "ID", "Status", "Filter", "Prefix", "Expiration", "Transition",
                "NoncurrentVersionExpiration", "NoncurrentVersionTransition", "AbortIncompleteMultipartUpload")) {
            throw malformed();
        }
        for (String single : List.of("ID", "Status", "Filter", "Prefix", "Expiration", "NoncurrentVersionExpiration",
                "AbortIncompleteMultipartUpload")) {
            if (XmlReader.children(e, single).size() > 1) throw malformed();
        }
        Optional<String> id = XmlReader.text(e, "ID");
        if (id.isEmpty() || id.get().isEmpty()) {
            if (!assignId) throw malformed();
            id = Optional.of(randomId());
        }
        if (id.get().length() > MAX_ID_LENGTH) throw invalid("ID length should not exceed allowed limit of 255");
        String status = XmlReader.text(e, "Status").orElseThrow(LifecycleXml::malformed);
        if (!status.equals("Enabled") && !status.equals("Disabled")) throw malformed();

        Optional<Element> filterElement = XmlReader.child(e, "Filter");
        Optional<String> legacyPrefix = XmlReader.text(e, "Prefix");
        // S3 requires exactly one of Filter (possibly empty) and the older top-level Prefix.
        if (filterElement.isPresent() == legacyPrefix.isPresent()) throw malformed();
        Filter filter = filterElement.map(LifecycleXml::filter)
                .orElseGet(() -> new Filter(legacyPrefix.get(), Map.of(), OptionalLong.empty(), OptionalLong.empty(),
                        Filter.Form.RULE_PREFIX));

        Optional<Expiration> expiration = XmlReader.child(e, "Expiration").map(LifecycleXml::expiration);
        Optional<NoncurrentExpiration> noncurrent = XmlReader.child(e, "NoncurrentVersionExpiration")
                .map(LifecycleXml::noncurrentExpiration);
        OptionalInt abortDays = OptionalInt.empty();
        Optional<Element> abort = XmlReader.child(e, "AbortIncompleteMultipartUpload");
        if (abort.isPresent()) {
            if (XmlReader.hasOtherChildren(abort.get(), "DaysAfterInitiation")) throw malformed();
            long days = number(abort.get(), "DaysAfterInitiation").orElseThrow(LifecycleXml::malformed);
            if (days <= 0 || days > Integer.MAX_VALUE) {
                throw invalid("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
            }
            abortDays = OptionalInt.of((int) days);
        }
        List<Transition> transitions = XmlReader.children(e, "Transition").stream().map(LifecycleXml::transition).toList();
        List<NoncurrentTransition> noncurrentTransitions = XmlReader.children(e, "NoncurrentVersionTransition").stream()
                .map(LifecycleXml::noncurrentTransition).toList();
        if (expiration.isEmpty() && noncurrent.isEmpty() && abortDays.isEmpty() && transitions.isEmpty()
                && noncurrentTransitions.isEmpty()) {
            throw invalid("At least one action needs to be specified in a rule");
        }
        if (!filter.tags().isEmpty()) {
            if (expiration.isPresent() && expiration.get().expiredObjectDeleteMarker()) {
                throw invalid("ExpiredObjectDeleteMarker cannot be specified with object tags");
            }
            if (abortDays.isPresent()) throw invalid("AbortIncompleteMultipartUpload cannot be specified with Tags");
        }
        return new Rule(id.get(), status.equals("Enabled"), filter, expiration, noncurrent, abortDays, transitions,
                noncurrentTransitions);
    }

    private static Filter filter(Element f) {
        if (XmlReader.hasOtherChildren(f, "Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan")) {
            throw malformed();
        }
        int predicates = elementCount(f);
        if (predicates == 0) return Filter.ALL;
        if (predicates > 1) throw malformed();   // several conditions must be wrapped in And
        Optional<Element> and = XmlReader.child(f, "And");
        Element conditions = and.orElse(f);
        if (and.isPresent()) {
            if (XmlReader.hasOtherChildren(conditions, "Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan")) {
                throw malformed();
            }
            for (String single : List.of("Prefix", "ObjectSizeGreaterThan", "ObjectSizeLessThan")) {
                if (XmlReader.children(conditions, single).size() > 1) throw malformed();
            }
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (Element t : XmlReader.children(conditions, "Tag")) {
            if (XmlReader.hasOtherChildren(t, "Key", "Value")) throw malformed();
            String key = XmlReader.text(t, "Key").orElseThrow(LifecycleXml::malformed);
            String value = XmlReader.text(t, "Value").orElseThrow(LifecycleXml::malformed);
            if (key.isEmpty() || key.length() > 128) throw invalid("The TagKey you have provided is invalid");
            if (value.length() > 256) throw invalid("The TagValue you have provided is invalid");
            if (tags.put(key, value) != null) throw invalid("Duplicate Tag Keys are not allowed.");
        }
        OptionalLong greater = size(conditions, "ObjectSizeGreaterThan");
        OptionalLong less = size(conditions, "ObjectSizeLessThan");
        if (greater.isPresent() && less.isPresent() && greater.getAsLong() >= less.getAsLong()) {
            throw invalid("ObjectSizeGreaterThan must be less than ObjectSizeLessThan");
        }
        return new Filter(XmlReader.text(conditions, "Prefix").orElse(""), tags, greater, less,
                and.isPresent() ? Filter.Form.AND : Filter.Form.SINGLE);
    }

    private static OptionalLong size(Element parent, String name) {
        Optional<Long> v = number(parent, name);
        if (v.isEmpty()) return OptionalLong.empty();
        if (v.get() < 0) throw invalid("'" + name + "' must be a non-negative integer");
        return OptionalLong.of(v.get());
    }

    private static Expiration expiration(Element x) {
        if (XmlReader.hasOtherChildren(x, "Days", "Date", "ExpiredObjectDeleteMarker")) throw malformed();
        if (elementCount(x) != 1) throw malformed();   // exactly one of Days, Date, ExpiredObjectDeleteMarker
        Optional<Long> days = number(x, "Days");
        if (days.isPresent() && (days.get() <= 0 || days.get() > Integer.MAX_VALUE)) {
            throw invalid("'Days' for Expiration action must be a positive integer");
        }
        Optional<Instant> date = date(x);
        boolean marker = false;
        Optional<String> m = XmlReader.text(x, "ExpiredObjectDeleteMarker").map(String::trim);
        if (m.isPresent()) {
            if (!m.get().equals("true") && !m.get().equals("false")) throw malformed();
            marker = m.get().equals("true");
        }
        return new Expiration(days.map(d -> OptionalInt.of(d.intValue())).orElse(OptionalInt.empty()), date, marker);
    }

    private static NoncurrentExpiration noncurrentExpiration(Element x) {
        if (XmlReader.hasOtherChildren(x, "NoncurrentDays", "NewerNoncurrentVersions")) throw malformed();
        long days = number(x, "NoncurrentDays").orElseThrow(LifecycleXml::malformed);
        if (days <= 0 || days > Integer.MAX_VALUE) {
            throw invalid("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
        }
        return new NoncurrentExpiration((int) days, newer(x, "NoncurrentVersionExpiration"));
    }

    private static OptionalInt newer(Element x, String action) {
        Optional<Long> newer = number(x, "NewerNoncurrentVersions");
        if (newer.isEmpty()) return OptionalInt.empty();
        if (newer.get() < 1 || newer.get() > 100) {
            throw invalid("'NewerNoncurrentVersions' for " + action + " action must be a positive integer up to 100");
        }
        return OptionalInt.of(newer.get().intValue());
    }

    private static Transition transition(Element t) {
        if (XmlReader.hasOtherChildren(t, "Days", "Date", "StorageClass")) throw malformed();
        Optional<Long> days = number(t, "Days");
        Optional<Instant> date = date(t);
        if (days.isPresent() == date.isPresent()) throw malformed();
        String storageClass = storageClass(t);
        if (days.isPresent()) {
            if (days.get() < 0 || days.get() > Integer.MAX_VALUE) {
                throw invalid("'Days' for Transition action must be a nonnegative integer");
            }
            if (MIN_30_DAYS.contains(storageClass) && days.get() < 30) {
                throw invalid("'Days' in Transition action must be greater than or equal to 30 for storageClass '"
                        + storageClass + "'");
            }
        }
        return new Transition(days.map(d -> OptionalInt.of(d.intValue())).orElse(OptionalInt.empty()), date, storageClass);
    }

    private static NoncurrentTransition noncurrentTransition(Element t) {
        if (XmlReader.hasOtherChildren(t, "NoncurrentDays", "NewerNoncurrentVersions", "StorageClass")) throw malformed();
        long days = number(t, "NoncurrentDays").orElseThrow(LifecycleXml::malformed);
        String storageClass = storageClass(t);
        if (days < 0 || days > Integer.MAX_VALUE) {
            throw invalid("'NoncurrentDays' for NoncurrentVersionTransition action must be a nonnegative integer");
        }
        if (MIN_30_DAYS.contains(storageClass) && days < 30) {
            throw invalid("'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 "
                    + "for storageClass '" + storageClass + "'");
        }
        return new NoncurrentTransition((int) days, newer(t, "NoncurrentVersionTransition"), storageClass);
    }

    private static String storageClass(Element t) {
        String storageClass = XmlReader.text(t, "StorageClass").map(String::trim).orElseThrow(LifecycleXml::malformed);
        // Strata's cold tiers are named like storage classes; whether one of that name is configured is
        // checked by the handler, which knows the tiers (stored rules are parsed without it).
        if (!STORAGE_CLASSES.contains(storageClass)) {
            try {
                io.strata.tiering.ColdTiers.checkName(storageClass);
            } catch (IllegalArgumentException e) {
                throw malformed();
            }
        }
        return storageClass;
    }

    /** An ISO-8601 date at midnight UTC; S3 takes a date-time ("2026-01-01T00:00:00.000Z") or a bare date. */
    private static Optional<Instant> date(Element parent) {
        Optional<String> text = XmlReader.text(parent, "Date").map(String::trim);
        if (text.isEmpty()) return Optional.empty();
        Instant date;
        try {
            date = text.get().length() == 10 ? LocalDate.parse(text.get()).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : java.time.OffsetDateTime.parse(text.get()).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid("Invalid date: " + text.get());
        }
        if (!date.truncatedTo(ChronoUnit.DAYS).equals(date)) throw invalid("'Date' must be at midnight GMT");
        return Optional.of(date);
    }

    private static Optional<Long> number(Element parent, String name) {
        if (XmlReader.children(parent, name).size() > 1) throw malformed();
        Optional<String> text = XmlReader.text(parent, name).map(String::trim);
        if (text.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Long.parseLong(text.get()));
        } catch (NumberFormatException e) {
            throw malformed();
        }
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
     * The GetBucketLifecycleConfiguration body for {@code c}: each rule's filter in the form the client
     * wrote it (rule-level Prefix, an empty Filter, one condition, or And), tags in their order, dates as
     * S3 writes timestamps ({@code 2031-01-01T00:00:00.000Z}).
     */
    public static byte[] write(LifecycleConfiguration c) {
        XmlWriter xml = XmlWriter.create().root("LifecycleConfiguration");
        for (Rule r : c.rules()) {
            xml.start("Rule").element("ID", r.id());
            writeFilter(xml, r.filter());
            xml.element("Status", r.enabled() ? "Enabled" : "Disabled");
            for (Transition t : r.transitions()) {
                xml.start("Transition");
                t.days().ifPresent(d -> xml.element("Days", d));
                t.date().ifPresent(d -> xml.element("Date", Encoding.isoDate(d)));
                xml.element("StorageClass", t.storageClass()).end();
            }
            r.expiration().ifPresent(x -> {
                xml.start("Expiration");
                if (x.days().isPresent()) xml.element("Days", x.days().getAsInt());
                else if (x.date().isPresent()) xml.element("Date", Encoding.isoDate(x.date().get()));
                else xml.element("ExpiredObjectDeleteMarker", x.expiredObjectDeleteMarker());
                xml.end();
            });
            for (NoncurrentTransition t : r.noncurrentTransitions()) {
                xml.start("NoncurrentVersionTransition").element("NoncurrentDays", t.noncurrentDays());
                t.newerNoncurrentVersions().ifPresent(n -> xml.element("NewerNoncurrentVersions", n));
                xml.element("StorageClass", t.storageClass()).end();
            }
            r.noncurrentExpiration().ifPresent(x -> {
                xml.start("NoncurrentVersionExpiration").element("NoncurrentDays", x.noncurrentDays());
                x.newerNoncurrentVersions().ifPresent(n -> xml.element("NewerNoncurrentVersions", n));
                xml.end();
            });
            r.abortIncompleteMultipartUploadDays().ifPresent(d -> xml.start("AbortIncompleteMultipartUpload")
                    .element("DaysAfterInitiation", d).end());
            xml.end();
        }
        return xml.end().toBytes();
    }

    private static void writeFilter(XmlWriter xml, Filter f) {
        switch (f.form()) {
            case RULE_PREFIX -> xml.element("Prefix", f.prefix());
            case EMPTY -> xml.start("Filter").end();
            case SINGLE -> {
                xml.start("Filter");
                if (!f.tags().isEmpty()) writeTags(xml, f);
                else if (f.sizeGreaterThan().isPresent()) xml.element("ObjectSizeGreaterThan", f.sizeGreaterThan().getAsLong());
                else if (f.sizeLessThan().isPresent()) xml.element("ObjectSizeLessThan", f.sizeLessThan().getAsLong());
                else xml.element("Prefix", f.prefix());
                xml.end();
            }
            case AND -> {
                xml.start("Filter").start("And");
                if (!f.prefix().isEmpty()) xml.element("Prefix", f.prefix());
                writeTags(xml, f);
                f.sizeGreaterThan().ifPresent(n -> xml.element("ObjectSizeGreaterThan", n));
                f.sizeLessThan().ifPresent(n -> xml.element("ObjectSizeLessThan", n));
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

    private static S3Exception invalid(String message) {
        return new S3Exception(S3Error.INVALID_ARGUMENT, message);
    }
}
