package io.batpak.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Where the keys that verify bearer tokens come from, in the formats MicroProfile JWT accepts for
 * {@code mp.jwt.verify.publickey} and {@code mp.jwt.verify.publickey.location}: a PEM public key
 * (RSA, EC or Ed25519) or certificate, a JWK, or a JWK Set such as Keycloak's {@code certs}
 * endpoint. jose4j picks the key by the token's {@code kid}, key type and algorithm.
 *
 * <ul>
 *   <li>{@link #fixed}: configured inline, or the generated local key; never changes.</li>
 *   <li>A file: re-read when its modification time or size changes (checked at most every
 *       {@value #FILE_CHECK_SECONDS} s), so an operator rotates keys by replacing the file; a file
 *       that stops parsing keeps the last good keys (and logs why).</li>
 *   <li>An http(s) URL: jose4j's {@link HttpsJwks}, cached for the response's {@code Cache-Control}
 *       lifetime (else {@value #REMOTE_TTL_SECONDS} s), fetched again when a token names a
 *       {@code kid} it does not hold (at most every {@value #REFETCH_GAP_SECONDS} s, so unknown kids
 *       cannot hammer the issuer), and its last keys kept for an hour when the issuer cannot be
 *       reached.</li>
 * </ul>
 * Keys that cannot be loaded at all raise {@link KeysUnavailable} (503), never a 401. Thread-safe.
 */
abstract class TokenKeys implements VerificationKeyResolver {
    static final long REMOTE_TTL_SECONDS = 300;
    static final long REFETCH_GAP_SECONDS = 30;
    static final long FILE_CHECK_SECONDS = 2;
    private static final Logger LOG = System.getLogger(TokenKeys.class.getName());

    /** Keys that never change. */
    static TokenKeys fixed(List<JsonWebKey> keys) {
        return new Fixed(keys);
    }

    /** The keys at {@code location}: an http(s) URL, a {@code file:} URL or path, or a {@code classpath:} resource. */
    static TokenKeys at(String location) {
        return at(location, REFETCH_GAP_SECONDS);
    }

    /** As {@link #at(String)}, with the shortest gap between two fetches of a URL (tests shorten it). */
    static TokenKeys at(String location, long refetchGapSeconds) {
        String l = location.trim();
        if (l.matches("(?i)https?:.*")) {
            return new Remote(l, refetchGapSeconds);
        }
        if (l.startsWith("file:")) {
            return new FileKeys(Path.of(URI.create(l)));
        }
        if (!l.startsWith("classpath:") && Files.isRegularFile(Path.of(l))) {
            return new FileKeys(Path.of(l));
        }
        return new Fixed(parse(classpath(l)));
    }

    /** Every public signing key in {@code text} (PEM key or certificate, JWK, JWK Set); encryption keys are left out. */
    static List<JsonWebKey> parse(String text) {
        String t = text.trim();
        try {
            List<JsonWebKey> all;
            if (t.startsWith("{")) {
                all = t.contains("\"keys\"") ? new JsonWebKeySet(t).getJsonWebKeys() : List.of(JsonWebKey.Factory.newJwk(t));
            } else if (t.contains("BEGIN CERTIFICATE")) {
                PublicKey k = CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(t.getBytes(StandardCharsets.US_ASCII))).getPublicKey();
                all = List.of(PublicJsonWebKey.Factory.newPublicJwk(k));
            } else {
                all = List.of(PublicJsonWebKey.Factory.newPublicJwk(pemPublicKey(t)));
            }
            List<JsonWebKey> out = new ArrayList<>();
            for (JsonWebKey k : all) {
                if (k instanceof PublicJsonWebKey && !"enc".equals(k.getUse())) {
                    out.add(k);
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("the configured key set holds no public signing key");
            }
            return List.copyOf(out);
        } catch (JoseException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the configured verification key does not parse: " + e.getMessage(), e);
        }
    }

    /** A PEM (or bare base64) SubjectPublicKeyInfo; the JDK's key factories decode it, we only strip the armour. */
    private static PublicKey pemPublicKey(String pem) throws GeneralSecurityException {
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("neither PEM nor a JWK", e);
        }
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC", "EdDSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("not an RSA, EC or Ed25519 public key", last);
    }

    private static String classpath(String location) {
        String resource = location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        try (InputStream in = cl.getResourceAsStream(resource.startsWith("/") ? resource.substring(1) : resource)) {
            if (in == null) {
                throw new KeysUnavailable("mp.jwt.verify.publickey.location " + location + " was not found", null);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KeysUnavailable("cannot read the verification key at " + location, e);
        }
    }

    /** Resolves against a fixed list; with several candidates and no {@code kid}, the one whose signature verifies. */
    static JwksVerificationKeyResolver resolver(List<JsonWebKey> keys) {
        JwksVerificationKeyResolver r = new JwksVerificationKeyResolver(keys);
        r.setDisambiguateWithVerifySignature(true);
        return r;
    }

    private static final class Fixed extends TokenKeys {
        private final JwksVerificationKeyResolver resolver;

        Fixed(List<JsonWebKey> keys) {
            this.resolver = resolver(keys);
        }

        @Override
        public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nesting) throws UnresolvableKeyException {
            return resolver.resolveKey(jws, nesting);
        }
    }

    private static final class FileKeys extends TokenKeys {
        private record Loaded(JwksVerificationKeyResolver resolver, FileTime modified, long size, long checkedAtNanos) {
        }

        private final Path file;
        private volatile Loaded loaded;

        FileKeys(Path file) {
            this.file = file;
        }

        @Override
        public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nesting) throws UnresolvableKeyException {
            return current().resolver().resolveKey(jws, nesting);
        }

        private Loaded current() {
            Loaded l = loaded;
            if (l != null && System.nanoTime() - l.checkedAtNanos() < Duration.ofSeconds(FILE_CHECK_SECONDS).toNanos()) {
                return l;
            }
            synchronized (this) {
                l = loaded;
                if (l != null && System.nanoTime() - l.checkedAtNanos() < Duration.ofSeconds(FILE_CHECK_SECONDS).toNanos()) {
                    return l;
                }
                try {
                    FileTime modified = Files.getLastModifiedTime(file);
                    long size = Files.size(file);
                    if (l != null && modified.equals(l.modified()) && size == l.size()) {
                        loaded = new Loaded(l.resolver(), modified, size, System.nanoTime());
                    } else {
                        loaded = new Loaded(resolver(parse(Files.readString(file))), modified, size, System.nanoTime());
                        if (l != null) {
                            LOG.log(Level.INFO, "batpak auth: re-read the verification keys in {0}", file);
                        }
                    }
                } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                    if (l == null) {
                        throw new KeysUnavailable("cannot read the verification keys in " + file + ": " + e.getMessage(), e);
                    }
                    // Keep the last good keys: a half-written or briefly missing file must not lock everyone out.
                    LOG.log(Level.WARNING, "batpak auth: keeping the previous keys; cannot re-read " + file, e);
                    loaded = new Loaded(l.resolver(), l.modified(), l.size(), System.nanoTime());
                }
                return loaded;
            }
        }
    }

    private static final class Remote extends TokenKeys {
        private final HttpsJwks jwks;
        private final HttpsJwksVerificationKeyResolver resolver;

        Remote(String url, long refetchGapSeconds) {
            jwks = new HttpsJwks(url);
            jwks.setDefaultCacheDuration(REMOTE_TTL_SECONDS);
            jwks.setRefreshReprieveThreshold(refetchGapSeconds * 1000);
            jwks.setRetainCacheOnErrorDuration(3600);
            resolver = new HttpsJwksVerificationKeyResolver(jwks);
            resolver.setDisambiguateWithVerifySignature(true);
        }

        @Override
        public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nesting) throws UnresolvableKeyException {
            try {
                // Fetch (or use the cache) here first, so an unreachable issuer is told apart from a bad token.
                jwks.getJsonWebKeys();
            } catch (IOException | JoseException e) {
                throw new KeysUnavailable("cannot fetch the verification keys from " + jwks.getLocation() + ": " + e, e);
            }
            return resolver.resolveKey(jws, nesting);
        }
    }
}
