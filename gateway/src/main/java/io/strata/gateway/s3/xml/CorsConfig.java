package io.strata.gateway.s3.xml;

import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.xml.XmlReader;
import io.strata.gateway.xml.XmlWriter;
import org.w3c.dom.Element;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A bucket's CORS configuration (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html):
 * parsed and validated as S3 does, and matched against a request's Origin, method and headers.
 * Stored as the bucket configuration document {@link #KIND} in the XML form {@link #xml()} writes.
 * Immutable, thread-safe.
 */
public record CorsConfig(List<Rule> rules) {
    public static final String KIND = "cors";
    static final int MAX_RULES = 100;
    private static final Set<String> METHODS = Set.of("GET", "PUT", "POST", "DELETE", "HEAD");

    public CorsConfig {
        rules = List.copyOf(rules);
    }

    /** One CORSRule; origins and headers may hold one {@code *} wildcard each. */
    public record Rule(String id, List<String> origins, List<String> methods, List<String> headers, List<String> expose,
                Integer maxAgeSeconds) {
        public Rule {
            origins = List.copyOf(origins);
            methods = List.copyOf(methods);
            headers = List.copyOf(headers);
            expose = List.copyOf(expose);
        }

        /** The origin as configured would match it (case-sensitive, as S3). */
        boolean allowsOrigin(String origin) {
            return origins.stream().anyMatch(o -> wildcard(o, origin));
        }

        boolean allowsHeader(String header) {
            String h = header.toLowerCase(Locale.ROOT);
            return headers.stream().anyMatch(a -> wildcard(a.toLowerCase(Locale.ROOT), h));
        }

        /** True when the matching origin is the bare {@code *}: the response then says {@code *}, without credentials. */
        public boolean anyOrigin() {
            return origins.contains("*");
        }
    }

    /**
     * Parses and validates a PutBucketCors body.
     *
     * @throws S3Exception MalformedXML (structure, missing AllowedMethod/AllowedOrigin, bad MaxAgeSeconds),
     *                     InvalidRequest (unsupported method, second wildcard, wildcard ExposeHeader, over 100 rules)
     */
    public static CorsConfig parse(byte[] body) {
        XmlReader doc;
        try {
            doc = XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (!doc.rootName().equals("CORSConfiguration")) throw new S3Exception(S3Error.MALFORMED_XML);
        List<Element> elements = XmlReader.children(doc.root(), "CORSRule");
        if (elements.isEmpty() || XmlReader.hasOtherChildren(doc.root(), "CORSRule")) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (elements.size() > MAX_RULES) {
            throw new S3Exception(S3Error.INVALID_REQUEST,
                    "The number of CORS rules should not exceed allowed limit of " + MAX_RULES + " rules.");
        }
        List<Rule> rules = new ArrayList<>();
        for (Element e : elements) {
            if (XmlReader.hasOtherChildren(e, "ID", "AllowedMethod", "AllowedOrigin", "AllowedHeader", "ExposeHeader",
                    "MaxAgeSeconds")) {
                throw new S3Exception(S3Error.MALFORMED_XML);
            }
            List<String> methods = texts(e, "AllowedMethod");
            List<String> origins = texts(e, "AllowedOrigin");
            if (methods.isEmpty() || origins.isEmpty()) throw new S3Exception(S3Error.MALFORMED_XML);
            for (String m : methods) {
                if (!METHODS.contains(m)) {
                    throw new S3Exception(S3Error.INVALID_REQUEST,
                            "Found unsupported HTTP method in CORS config. Unsupported method is " + m);
                }
            }
            for (String o : origins) {
                if (wildcards(o) > 1) {
                    throw new S3Exception(S3Error.INVALID_REQUEST,
                            "AllowedOrigin \"" + o + "\" can not have more than one wildcard.");
                }
            }
            List<String> headers = texts(e, "AllowedHeader");
            for (String h : headers) {
                if (wildcards(h) > 1) {
                    throw new S3Exception(S3Error.INVALID_REQUEST,
                            "AllowedHeader \"" + h + "\" can not have more than one wildcard.");
                }
            }
            List<String> expose = texts(e, "ExposeHeader");
            for (String h : expose) {
                if (h.contains("*")) {
                    throw new S3Exception(S3Error.INVALID_REQUEST, "ExposeHeader \"" + h
                            + "\" contains wildcard. We currently do not support wildcard for ExposeHeader.");
                }
            }
            Integer maxAge = null;
            Optional<String> age = XmlReader.text(e, "MaxAgeSeconds").map(String::trim);
            if (age.isPresent()) {
                try {
                    maxAge = Integer.parseInt(age.get());
                } catch (NumberFormatException x) {
                    throw new S3Exception(S3Error.MALFORMED_XML);
                }
                if (maxAge < 0) throw new S3Exception(S3Error.MALFORMED_XML);
            }
            String id = XmlReader.text(e, "ID").orElse(null);
            if (id != null && id.length() > 255) {
                throw new S3Exception(S3Error.INVALID_REQUEST, "The ID of a CORS rule can not be longer than 255 characters.");
            }
            rules.add(new Rule(id, origins, methods, headers, expose, maxAge));
        }
        return new CorsConfig(rules);
    }

    /**
     * The first rule allowing this origin, method and every requested header (S3 uses the first
     * match). {@code requestHeaders} are the names of Access-Control-Request-Headers (empty for an
     * actual request).
     */
    public Optional<Rule> match(String origin, String method, List<String> requestHeaders) {
        for (Rule r : rules) {
            if (r.allowsOrigin(origin) && r.methods().contains(method)
                    && requestHeaders.stream().allMatch(r::allowsHeader)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    public XmlWriter xml() {
        XmlWriter xml = XmlWriter.create().root("CORSConfiguration");
        for (Rule r : rules) {
            xml.start("CORSRule");
            if (r.id() != null) xml.element("ID", r.id());
            for (String h : r.headers()) xml.element("AllowedHeader", h);
            for (String m : r.methods()) xml.element("AllowedMethod", m);
            for (String o : r.origins()) xml.element("AllowedOrigin", o);
            for (String h : r.expose()) xml.element("ExposeHeader", h);
            if (r.maxAgeSeconds() != null) xml.element("MaxAgeSeconds", r.maxAgeSeconds());
            xml.end();
        }
        return xml.end();
    }

    private static List<String> texts(Element e, String name) {
        List<String> out = new ArrayList<>();
        for (Element c : XmlReader.children(e, name)) out.add(c.getTextContent().trim());
        return out;
    }

    private static int wildcards(String s) {
        return (int) s.chars().filter(c -> c == '*').count();
    }

    /** {@code pattern} with at most one {@code *} matching any run of characters. */
    static boolean wildcard(String pattern, String value) {
        int star = pattern.indexOf('*');
        if (star < 0) return pattern.equals(value);
        String head = pattern.substring(0, star);
        String tail = pattern.substring(star + 1);
        return value.length() >= head.length() + tail.length() && value.startsWith(head) && value.endsWith(tail);
    }
}
