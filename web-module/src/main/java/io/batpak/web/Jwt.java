package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Compact JWS (RFC 7515) as MicroProfile JWT uses it: RS256, RS384 or RS512 signatures over
 * {@code header.claims}, made and checked with the JDK's {@link Signature}. The JDK is enough for
 * RSA signatures; a bundled JOSE library would be one more jar in the WAR, and the Nimbus copy inside
 * Payara is not exported to applications. Stateless, thread-safe.
 */
final class Jwt {
    /** Tokens longer than this are refused before any parsing, so a header cannot exhaust memory. */
    static final int MAX_TOKEN_CHARS = 16 * 1024;

    /** A token split into its parts; the signature is not checked yet. */
    record Parsed(JsonObject header, JsonObject claims, byte[] signingInput, byte[] signature) {
        String algorithm() {
            return header.getString("alg", "");
        }

        String keyId() {
            return header.getString("kid", null);
        }
    }

    /** Why a token is refused; the message is safe to show to the client. */
    static final class Rejected extends Exception {
        Rejected(String message) {
            super(message, null, false, false);
        }
    }

    private Jwt() {
    }

    static Parsed parse(String token) throws Rejected {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new Rejected("the token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        int a = token.indexOf('.');
        int b = a < 0 ? -1 : token.indexOf('.', a + 1);
        if (a <= 0 || b < 0 || token.indexOf('.', b + 1) >= 0) {
            throw new Rejected("the token is not a compact JWS (header.claims.signature)");
        }
        try {
            Base64.Decoder d = Base64.getUrlDecoder();
            JsonObject header = object(d.decode(token.substring(0, a)));
            JsonObject claims = object(d.decode(token.substring(a + 1, b)));
            byte[] signature = d.decode(token.substring(b + 1));
            return new Parsed(header, claims, token.substring(0, b).getBytes(StandardCharsets.US_ASCII), signature);
        } catch (IllegalArgumentException | JsonException | ClassCastException e) {
            throw new Rejected("the token is malformed");
        }
    }

    /** Whether {@code key} made the token's signature with the algorithm its header names. */
    static boolean verifies(Parsed t, PublicKey key) throws Rejected {
        try {
            Signature s = Signature.getInstance(jdkName(t.algorithm()));
            s.initVerify(key);
            s.update(t.signingInput());
            return s.verify(t.signature());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** A signed compact token with {@code claims}, RS256 under {@code key} (identified by {@code keyId}). */
    static String sign(JsonObject claims, PrivateKey key, String keyId) {
        JsonObject header = JSON.createObjectBuilder().add("alg", "RS256").add("typ", "JWT").add("kid", keyId).build();
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        String input = e.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + e.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + e.encodeToString(s.sign());
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("cannot sign with RS256", ex);
        }
    }

    private static String jdkName(String alg) throws Rejected {
        return switch (alg) {
            case "RS256" -> "SHA256withRSA";
            case "RS384" -> "SHA384withRSA";
            case "RS512" -> "SHA512withRSA";
            default -> throw new Rejected("signature algorithm '" + alg + "' is not accepted (RS256, RS384, RS512)");
        };
    }

    private static JsonObject object(byte[] json) {
        try (JsonReader r = JSON.createReader(new StringReader(new String(json, StandardCharsets.UTF_8)))) {
            return r.readObject();
        }
    }
}
