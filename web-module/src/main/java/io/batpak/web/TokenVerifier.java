package io.batpak.web;

import io.batpak.ee.BatpakSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Verifies bearer tokens with MicroProfile JWT's configuration keys: the key from
 * {@code mp.jwt.verify.publickey} (PEM or JWK/JWKS text) or {@code mp.jwt.verify.publickey.location}
 * (a file, classpath resource or http(s) URL such as a Keycloak JWKS endpoint, re-read every
 * {@value #REMOTE_KEYS_TTL_MINUTES} minutes and when a token names an unknown {@code kid}), the issuer
 * from {@code mp.jwt.verify.issuer} (else {@code batpak.auth.issuer}), optional
 * {@code mp.jwt.verify.audiences}, and {@code mp.jwt.verify.clock.skew} seconds of tolerance on
 * {@code exp}/{@code nbf}. With neither key setting, the key pair generated under
 * {@code {data-dir}/auth/} ({@link LocalIssuer}) is used.
 *
 * <p>Why not Payara's own MP-JWT mechanism ({@code @LoginConfig(authMethod = "MP-JWT")}): on Payara
 * 6.2025.10 its {@code JWTAuthenticationMechanism} answers a token that fails validation with
 * {@code responseUnauthorized()} — a bare servlet 401 before JAX-RS runs, with no problem body and
 * no reason — and it cannot express "admin implies reader and writer". Verifying here keeps the
 * standard configuration keys and the {@code JsonWebToken} principal, and every refusal is a
 * problem+json with the contract's codes. Thread-safe.
 */
@ApplicationScoped
public class TokenVerifier {
    static final long REMOTE_KEYS_TTL_MINUTES = 5;
    private static final Duration UNKNOWN_KID_REFETCH_GAP = Duration.ofSeconds(30);

    @Inject
    BatpakSettings settings;
    @Inject
    @ConfigProperty(name = "mp.jwt.verify.publickey")
    Optional<String> publicKey;
    @Inject
    @ConfigProperty(name = "mp.jwt.verify.publickey.location")
    Optional<String> publicKeyLocation;
    @Inject
    @ConfigProperty(name = "mp.jwt.verify.issuer")
    Optional<String> issuer;
    @Inject
    @ConfigProperty(name = "mp.jwt.verify.audiences")
    Optional<String> audiences;
    @Inject
    @ConfigProperty(name = "mp.jwt.verify.clock.skew", defaultValue = "60")
    long clockSkewSeconds;

    private record Keys(List<PublicKeys.Entry> entries, Instant loadedAt) {
    }

    private volatile Keys keys;

    /** Whether no key is configured, so the generated key pair under the data directory is used. */
    public boolean usesGeneratedKey() {
        return blank(publicKey) && blank(publicKeyLocation);
    }

    /** The issuer a token must name. */
    public String acceptedIssuer() {
        return blank(issuer) ? settings.authIssuer() : issuer.get().trim();
    }

    /** The principal of a valid token; a token that is malformed, expired, badly signed or from another issuer is rejected. */
    TokenPrincipal verify(String token) throws Jwt.Rejected {
        Jwt.Parsed t = Jwt.parse(token);
        if (!signatureVerifies(t)) {
            throw new Jwt.Rejected("the token's signature does not verify with the configured key");
        }
        JsonObject c = t.claims();
        long now = Instant.now().getEpochSecond();
        Long exp = number(c, "exp");
        if (exp == null) {
            throw new Jwt.Rejected("the token has no expiry (exp)");
        }
        if (now > exp + clockSkewSeconds) {
            throw new Jwt.Rejected("the token has expired");
        }
        Long nbf = number(c, "nbf");
        if (nbf != null && now + clockSkewSeconds < nbf) {
            throw new Jwt.Rejected("the token is not valid yet (nbf)");
        }
        if (!acceptedIssuer().equals(c.getString("iss", null))) {
            throw new Jwt.Rejected("the token's issuer is not accepted");
        }
        if (!blank(audiences)) {
            Set<String> wanted = Arrays.stream(audiences.get().split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .collect(Collectors.toSet());
            Set<String> aud = TokenPrincipal.strings(c.get("aud"));
            if (aud.stream().noneMatch(wanted::contains)) {
                throw new Jwt.Rejected("the token's audience is not accepted");
            }
        }
        return TokenPrincipal.of(c, token);
    }

    private boolean signatureVerifies(Jwt.Parsed t) throws Jwt.Rejected {
        Keys k = keys(false);
        if (t.keyId() != null && k.entries().stream().noneMatch(e -> t.keyId().equals(e.keyId())) && remote()
                && k.loadedAt().plus(UNKNOWN_KID_REFETCH_GAP).isBefore(Instant.now())) {
            k = keys(true); // the issuer may have rotated its keys
        }
        for (PublicKeys.Entry e : k.entries()) {
            boolean candidate = t.keyId() == null || e.keyId() == null || t.keyId().equals(e.keyId());
            if (candidate && Jwt.verifies(t, e.key())) {
                return true;
            }
        }
        return false;
    }

    private Keys keys(boolean refresh) {
        Keys k = keys;
        boolean stale = k != null && remote()
                && k.loadedAt().plus(Duration.ofMinutes(REMOTE_KEYS_TTL_MINUTES)).isBefore(Instant.now());
        if (k != null && !refresh && !stale) {
            return k;
        }
        synchronized (this) {
            if (keys != k && keys != null) {
                return keys;
            }
            try {
                keys = new Keys(load(), Instant.now());
            } catch (RuntimeException e) {
                if (k == null) {
                    throw e;
                }
                // Keep serving with the keys we have: a passing outage of the issuer must not lock everyone out.
                keys = new Keys(k.entries(), Instant.now());
            }
            return keys;
        }
    }

    private List<PublicKeys.Entry> load() {
        if (!blank(publicKey)) {
            return PublicKeys.parse(publicKey.get());
        }
        if (!blank(publicKeyLocation)) {
            return PublicKeys.parse(read(publicKeyLocation.get().trim()));
        }
        return List.of(new PublicKeys.Entry(LocalIssuer.KEY_ID, LocalIssuer.ensure(settings.dataDirectory(),
                settings.authIssuer(), settings.adminTokenDays())));
    }

    private boolean remote() {
        return blank(publicKey) && !blank(publicKeyLocation)
                && publicKeyLocation.get().trim().matches("(?i)https?:.*");
    }

    private static String read(String location) {
        try {
            if (location.matches("(?i)https?:.*")) {
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                        .followRedirects(HttpClient.Redirect.NORMAL).build();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(location))
                        .timeout(Duration.ofSeconds(10)).header("Accept", "application/json").GET().build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("fetching " + location + " answered " + r.statusCode());
                }
                return r.body();
            }
            if (location.startsWith("file:")) {
                return Files.readString(Path.of(URI.create(location)));
            }
            String resource = location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
            Path file = Path.of(resource);
            if (!location.startsWith("classpath:") && Files.isRegularFile(file)) {
                return Files.readString(file);
            }
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            try (InputStream in = cl.getResourceAsStream(resource.startsWith("/") ? resource.substring(1) : resource)) {
                if (in == null) {
                    throw new IllegalStateException("mp.jwt.verify.publickey.location " + location + " was not found");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the verification key at " + location, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching " + location, e);
        }
    }

    private static Long number(JsonObject c, String name) {
        JsonValue v = c.get(name);
        return v instanceof JsonNumber n ? n.longValue() : null;
    }

    private static boolean blank(Optional<String> v) {
        return v.isEmpty() || v.get().isBlank();
    }
}
