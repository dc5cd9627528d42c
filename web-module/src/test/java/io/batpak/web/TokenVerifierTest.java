package io.batpak.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which MP JWT configurations the verifier refuses to run with. */
class TokenVerifierTest {
    private static TokenVerifier verifier(String location, String audiences, boolean allowAny, String algorithm) {
        TokenVerifier v = new TokenVerifier();
        v.publicKey = Optional.empty();
        v.publicKeyLocation = Optional.ofNullable(location);
        v.publicKeyAlgorithm = Optional.ofNullable(algorithm);
        v.issuer = Optional.of("https://idp.example");
        v.audiences = Optional.ofNullable(audiences);
        v.allowAnyAudience = allowAny;
        return v;
    }

    @Test
    void anExternalIssuerNeedsAnAudienceOrAnExplicitOptOut() {
        String problem = verifier("https://idp.example/certs", null, false, null).configurationProblem().orElseThrow();
        assertTrue(problem.contains("mp.jwt.verify.audiences") && problem.contains(TokenVerifier.ALLOW_ANY_AUDIENCE), problem);
        assertTrue(verifier("https://idp.example/certs", " , ", false, null).configurationProblem().isPresent(),
                "a blank list is no audience");
        assertEquals(Optional.empty(), verifier("https://idp.example/certs", "api", false, null).configurationProblem());
        assertEquals(Optional.empty(), verifier("https://idp.example/certs", null, true, null).configurationProblem());
        assertEquals(Optional.empty(), verifier(null, null, false, null).configurationProblem(),
                "the generated local issuer needs no audience: it mints only the admin token");
    }

    @Test
    void anUnknownAlgorithmIsAConfigurationProblem() {
        assertTrue(verifier(null, null, false, "HS256").configurationProblem().isPresent());
        assertEquals(Optional.empty(), verifier(null, null, false, "ES256").configurationProblem());
    }
}
