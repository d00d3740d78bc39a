package io.strata.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** S3 Block Public Access's meaning of a "public" bucket policy, case by case. */
class PublicPolicyTest {

    private static boolean isPublic(String statement) {
        return PublicPolicy.isPublic(Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":[" + statement + "]}", "b"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            anyone may read                 | true  | {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}
            AWS wildcard principal          | true  | {"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}
            wildcard account in an ARN      | true  | {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}
            NotPrincipal allow              | true  | {"Effect":"Allow","NotPrincipal":{"AWS":"KEY"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}
            wildcard action pattern         | true  | {"Effect":"Allow","Principal":"*","Action":"s3:*Object","Resource":"arn:aws:s3:::b/*"}
            a fixed principal               | false | {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}
            a deny for everyone             | false | {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}
            narrowed to a CIDR              | false | {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}
            a CIDR of every address         | true  | {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}}
            a fixed source account          | false | {"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}
            a source account pattern        | true  | {"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"aws:SourceAccount":"1111*"}}}
            a condition on another key      | true  | {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:UserAgent":"curl"}}}
            IfExists narrows nothing        | true  | {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}}
            no data action                  | false | {"Effect":"Allow","Principal":"*","Action":"s3:ReplicateObject","Resource":"arn:aws:s3:::b/*"}
            """)
    void classifiesStatementsAsS3Does(String name, boolean expected, String statement) {
        assertEquals(expected, isPublic(statement), name);
    }
}
