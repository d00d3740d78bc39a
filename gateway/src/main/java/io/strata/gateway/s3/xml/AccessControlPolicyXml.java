package io.strata.gateway.s3.xml;

import io.strata.auth.CannedAcl;
import io.strata.gateway.s3.Responses;
import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.xml.XmlReader;
import io.strata.gateway.xml.XmlWriter;
import org.w3c.dom.Element;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The AccessControlPolicy document of Get/Put*Acl. Strata implements canned ACLs only: a body is
 * accepted when its grants are exactly those of one (s3cmd's setacl sends such a body), and a canned
 * ACL is shown as the owner's FULL_CONTROL and its group grants. Stateless.
 */
public final class AccessControlPolicyXml {
    private static final String ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
    private static final String AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

    private AccessControlPolicyXml() {
    }

    /**
     * The canned ACL whose grants {@code body} lists, {@code owner} holding FULL_CONTROL.
     *
     * @throws S3Exception MalformedACLError for a body that is not an AccessControlPolicy, NotImplemented
     *                     for grants no canned ACL has
     */
    public static CannedAcl cannedAcl(byte[] body, String owner) {
        XmlReader doc;
        try {
            doc = XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.MALFORMED_ACL);
        }
        if (!doc.rootName().equals("AccessControlPolicy")) throw new S3Exception(S3Error.MALFORMED_ACL);
        Set<String> grants = new HashSet<>();
        boolean ownerFull = false;
        for (Element list : XmlReader.children(doc.root(), "AccessControlList")) {
            for (Element g : XmlReader.children(list, "Grant")) {
                String permission = XmlReader.text(g, "Permission").map(String::trim)
                        .orElseThrow(() -> new S3Exception(S3Error.MALFORMED_ACL));
                Element grantee = XmlReader.children(g, "Grantee").stream().findFirst()
                        .orElseThrow(() -> new S3Exception(S3Error.MALFORMED_ACL));
                Optional<String> uri = XmlReader.text(grantee, "URI").map(String::trim);
                Optional<String> id = XmlReader.text(grantee, "ID").map(String::trim);
                if (uri.isPresent()) {
                    grants.add(uri.get() + " " + permission);
                } else if (id.isPresent() && id.get().equals(owner) && permission.equals("FULL_CONTROL")) {
                    ownerFull = true;
                } else {
                    throw notCanned();
                }
            }
        }
        for (CannedAcl candidate : List.of(CannedAcl.PRIVATE, CannedAcl.PUBLIC_READ, CannedAcl.PUBLIC_READ_WRITE,
                CannedAcl.AUTHENTICATED_READ)) {
            Set<String> implied = new HashSet<>();
            for (CannedAcl.Grant g : candidate.grants()) implied.add(groupUri(g.group()) + " " + g.permission());
            if (implied.equals(grants) && ownerFull) return candidate;
        }
        throw notCanned();
    }

    private static S3Exception notCanned() {
        return new S3Exception(S3Error.NOT_IMPLEMENTED,
                "Only the grants of a canned ACL (private, public-read, public-read-write, authenticated-read) are implemented.");
    }

    private static String groupUri(CannedAcl.Group g) {
        return switch (g) {
            case ALL_USERS -> ALL_USERS;
            case AUTHENTICATED_USERS -> AUTHENTICATED_USERS;
        };
    }

    /** The AccessControlPolicy S3 returns for a canned ACL: the owner's FULL_CONTROL, then the group grants. */
    public static XmlWriter xml(String owner, CannedAcl acl) {
        XmlWriter xml = XmlWriter.create().root("AccessControlPolicy");
        Responses.ownerElement(xml, "Owner", owner);
        xml.start("AccessControlList");
        xml.start("Grant").start("Grantee", "xmlns:xsi", XSI, "xsi:type", "CanonicalUser")
                .element("ID", owner).element("DisplayName", owner).end()
                .element("Permission", "FULL_CONTROL").end();
        for (CannedAcl.Grant g : acl.grants()) {
            xml.start("Grant").start("Grantee", "xmlns:xsi", XSI, "xsi:type", "Group")
                    .element("URI", groupUri(g.group())).end()
                    .element("Permission", g.permission().name()).end();
        }
        return xml.end().end();
    }
}
