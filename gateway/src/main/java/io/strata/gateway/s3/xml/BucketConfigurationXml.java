package io.strata.gateway.s3.xml;

import io.strata.gateway.s3.S3Error;
import io.strata.gateway.s3.S3Exception;
import io.strata.gateway.xml.XmlReader;
import io.strata.namespace.BucketVersioning;

import java.util.Optional;

/** The CreateBucketConfiguration and VersioningConfiguration request bodies. Stateless. */
public final class BucketConfigurationXml {
    private BucketConfigurationXml() {
    }

    /**
     * The region a CreateBucketConfiguration asks for, if it names one.
     *
     * @throws S3Exception MalformedXML for a body that is not a CreateBucketConfiguration
     */
    public static Optional<String> locationConstraint(byte[] body) {
        XmlReader doc;
        try {
            doc = XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (!doc.rootName().equals("CreateBucketConfiguration")) throw new S3Exception(S3Error.MALFORMED_XML);
        return XmlReader.text(doc.root(), "LocationConstraint").map(String::trim).filter(c -> !c.isEmpty());
    }

    /**
     * The state a VersioningConfiguration asks for; empty when it has no Status (S3 then changes nothing).
     * MFA Delete needs the root account's MFA device, which this gateway has no notion of: Enabled is
     * NotImplemented, Disabled is accepted.
     *
     * @throws S3Exception MalformedXML for a body that is not a VersioningConfiguration or an unknown
     *                     value, NotImplemented for MfaDelete Enabled
     */
    public static Optional<BucketVersioning> versioning(byte[] body) {
        XmlReader doc;
        try {
            doc = XmlReader.parse(body);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.MALFORMED_XML);
        }
        if (!doc.rootName().equals("VersioningConfiguration")) throw new S3Exception(S3Error.MALFORMED_XML);
        Optional<String> mfa = XmlReader.text(doc.root(), "MfaDelete").map(String::trim);
        if (mfa.isPresent()) {
            switch (mfa.get()) {
                case "Disabled" -> { }
                case "Enabled" -> throw new S3Exception(S3Error.NOT_IMPLEMENTED, "MFA Delete is not supported by Strata.");
                default -> throw new S3Exception(S3Error.MALFORMED_XML);
            }
        }
        Optional<String> status = XmlReader.text(doc.root(), "Status").map(String::trim);
        if (status.isEmpty()) return Optional.empty();
        return Optional.of(switch (status.get()) {
            case "Enabled" -> BucketVersioning.ENABLED;
            case "Suspended" -> BucketVersioning.SUSPENDED;
            default -> throw new S3Exception(S3Error.MALFORMED_XML);
        });
    }
}
