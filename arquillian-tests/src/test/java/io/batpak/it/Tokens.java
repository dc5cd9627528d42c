package io.batpak.it;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Signs test tokens (RS256) with the server's generated private key (the test runs on the same
 * machine, so it reads {@code <dataDir>/auth/signing-key.pem}) or with a stranger's key, with any
 * roles, grants, issuer and expiry.
 */
final class Tokens {
    private final PrivateKey serverKey;
    private final PrivateKey strangerKey;
    private final String issuer;

    private Tokens(PrivateKey serverKey, PrivateKey strangerKey, String issuer) {
        this.serverKey = serverKey;
        this.strangerKey = strangerKey;
        this.issuer = issuer;
    }

    /** Tokens for the server running on {@code dataDir}, whose issuer is {@code issuer}. */
    static Tokens forServer(Path dataDir, String issuer) throws Exception {
        String pem = Files.readString(dataDir.resolve("auth").resolve("signing-key.pem"));
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        return of(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der)), issuer);
    }

    /** Tokens signed with {@code key} (as an external issuer would), issued by {@code issuer}. */
    static Tokens of(PrivateKey key, String issuer) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return new Tokens(key, g.generateKeyPair().getPrivate(), issuer);
    }

    /** A valid token for {@code name} with these roles and grants ({@code null} grants: no claim). */
    String token(String name, List<String> roles, List<String> grants) {
        return sign(claims(name, roles, grants, issuer, Instant.now().plusSeconds(3600)), serverKey);
    }

    String expired(String name, List<String> roles, List<String> grants) {
        return sign(claims(name, roles, grants, issuer, Instant.now().minusSeconds(3600)), serverKey);
    }

    String otherIssuer(String name, List<String> roles, List<String> grants) {
        return sign(claims(name, roles, grants, "someone-else", Instant.now().plusSeconds(3600)), serverKey);
    }

    String otherKey(String name, List<String> roles, List<String> grants) {
        return sign(claims(name, roles, grants, issuer, Instant.now().plusSeconds(3600)), strangerKey);
    }

    private static JsonObject claims(String name, List<String> roles, List<String> grants, String iss, Instant exp) {
        JsonArrayBuilder groups = Json.createArrayBuilder();
        roles.forEach(groups::add);
        JsonObjectBuilder c = Json.createObjectBuilder().add("iss", iss).add("sub", name).add("upn", name)
                .add("groups", groups).add("iat", Instant.now().getEpochSecond() - 10).add("exp", exp.getEpochSecond());
        if (grants != null) {
            JsonArrayBuilder g = Json.createArrayBuilder();
            grants.forEach(g::add);
            c.add("batpak_scopes", g);
        }
        return c.build();
    }

    private static String sign(JsonObject claims, PrivateKey key) {
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        String input = e.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + e.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + e.encodeToString(s.sign());
        } catch (java.security.GeneralSecurityException ex) {
            throw new AssertionError("cannot sign a test token", ex);
        }
    }
}
