package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Verification keys in the formats MicroProfile JWT accepts for {@code mp.jwt.verify.publickey} and
 * the document at {@code mp.jwt.verify.publickey.location}: a PEM public key or certificate (with or
 * without its BEGIN/END lines), a JWK, or a JWK Set such as Keycloak's {@code certs} endpoint.
 * Only RSA keys are kept (the accepted algorithms are RS256/384/512). Stateless.
 */
final class PublicKeys {
    /** A key and its JWK {@code kid} (null for PEM keys). */
    record Entry(String keyId, PublicKey key) {
    }

    private PublicKeys() {
    }

    static List<Entry> parse(String text) {
        String t = text.trim();
        if (t.startsWith("{")) {
            return jwks(t);
        }
        if (t.contains("BEGIN CERTIFICATE")) {
            try {
                return List.of(new Entry(null, CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(t.getBytes(StandardCharsets.US_ASCII)))
                        .getPublicKey()));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("the configured certificate does not parse", e);
            }
        }
        String base64 = t.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return List.of(new Entry(null, KeyFactory.getInstance("RSA")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)))));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the configured public key is neither PEM (RSA) nor a JWK", e);
        }
    }

    private static List<Entry> jwks(String json) {
        JsonObject o;
        try (JsonReader r = JSON.createReader(new StringReader(json))) {
            o = r.readObject();
        }
        JsonValue keys = o.get("keys");
        List<Entry> out = new ArrayList<>();
        if (keys instanceof JsonArray a) {
            for (JsonValue k : a) {
                if (k instanceof JsonObject jwk) {
                    addRsa(jwk, out);
                }
            }
        } else {
            addRsa(o, out);
        }
        return out;
    }

    private static void addRsa(JsonObject jwk, List<Entry> out) {
        if (!"RSA".equals(jwk.getString("kty", "")) || "enc".equals(jwk.getString("use", "sig"))) {
            return;
        }
        Base64.Decoder d = Base64.getUrlDecoder();
        try {
            RSAPublicKeySpec spec = new RSAPublicKeySpec(new BigInteger(1, d.decode(jwk.getString("n"))),
                    new BigInteger(1, d.decode(jwk.getString("e"))));
            out.add(new Entry(jwk.getString("kid", null), KeyFactory.getInstance("RSA").generatePublic(spec)));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("a JWK of the configured key set does not parse", e);
        }
    }
}
