package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;

/**
 * The secure default when no verification key is configured: an RSA key pair and an admin token
 * under {@code {data-dir}/auth/}, created at the first start and reused afterwards. The private key
 * ({@code signing-key.pem}) and the token ({@code admin.token}) are written with mode 600 (owner
 * only); the public key is {@code signing-key.pub.pem}. The token holds all three roles and
 * {@code batpak_scopes: ["*"]}; it is signed again when missing or issued by another issuer.
 * Thread-safe (one start at a time, files replaced atomically).
 */
final class LocalIssuer {
    static final String PRIVATE_KEY = "signing-key.pem";
    static final String PUBLIC_KEY = "signing-key.pub.pem";
    static final String ADMIN_TOKEN = "admin.token";
    static final String KEY_ID = "batpak-local";
    static final String ADMIN_NAME = "batpak-admin";

    private LocalIssuer() {
    }

    /** The directory holding the generated key pair and token. */
    static Path directory(Path dataDir) {
        return dataDir.resolve("auth");
    }

    /** Creates what is missing and answers the public key that verifies the admin token. */
    static synchronized PublicKey ensure(Path dataDir, String issuer, long tokenDays) {
        Path dir = directory(dataDir);
        try {
            if (!Files.isDirectory(dir) && dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
            PrivateKey privateKey;
            PublicKey publicKey;
            if (Files.exists(dir.resolve(PRIVATE_KEY))) {
                privateKey = readPrivate(dir.resolve(PRIVATE_KEY));
                publicKey = publicOf(privateKey);
            } else {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                KeyPair pair = g.generateKeyPair();
                privateKey = pair.getPrivate();
                publicKey = pair.getPublic();
                writeOwnerOnly(dir.resolve(PRIVATE_KEY), pem("PRIVATE KEY", privateKey.getEncoded()));
            }
            Path pub = dir.resolve(PUBLIC_KEY);
            if (!Files.exists(pub)) {
                replace(pub, pem("PUBLIC KEY", publicKey.getEncoded()), false);
            }
            Path token = dir.resolve(ADMIN_TOKEN);
            if (!Files.exists(token) || !issuedBy(Files.readString(token).trim(), issuer, publicKey)) {
                writeOwnerOnly(token, adminToken(privateKey, issuer, tokenDays));
            }
            return publicKey;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the signing key and admin token in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create or read the signing key in " + dir, e);
        }
    }

    /** A token with all roles and every scope, signed with {@code key}. */
    static String adminToken(PrivateKey key, String issuer, long days) {
        Instant now = Instant.now();
        JsonObject claims = JSON.createObjectBuilder()
                .add("iss", issuer)
                .add("sub", ADMIN_NAME)
                .add("upn", ADMIN_NAME)
                .add("groups", JSON.createArrayBuilder().add(TokenPrincipal.READER).add(TokenPrincipal.WRITER)
                        .add(TokenPrincipal.ADMIN))
                .add(TokenPrincipal.SCOPES_CLAIM, JSON.createArrayBuilder().add("*"))
                .add("iat", now.getEpochSecond())
                .add("exp", now.plusSeconds(days * 86_400L).getEpochSecond())
                .add("jti", UUID.randomUUID().toString())
                .build();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toString());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        jws.setKeyIdHeaderValue(KEY_ID);
        jws.setKey(key);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign the admin token with RS256", e);
        }
    }

    /** Whether {@code token} verifies with {@code key}, names {@code issuer} and is valid for more than a day. */
    private static boolean issuedBy(String token, String issuer, PublicKey key) {
        try {
            JwtClaims c = new JwtConsumerBuilder().setVerificationKey(key)
                    .setJwsAlgorithmConstraints(ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256)
                    .setExpectedIssuer(issuer).setRequireExpirationTime().setSkipDefaultAudienceValidation()
                    .build().processToClaims(token);
            return c.getExpirationTime().getValue() > Instant.now().getEpochSecond() + 86_400L;
        } catch (InvalidJwtException | MalformedClaimException | RuntimeException e) {
            return false;
        }
    }

    private static PrivateKey readPrivate(Path file) throws IOException, GeneralSecurityException {
        String base64 = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    private static PublicKey publicOf(PrivateKey key) throws GeneralSecurityException {
        RSAPrivateCrtKey k = (RSAPrivateCrtKey) key;
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        replace(file, text, true);
    }

    /** Writes a temporary file (created with its final mode, so the secret is never readable by others) and moves it in place. */
    private static void replace(Path file, String text, boolean ownerOnly) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            if (ownerOnly && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(tmp);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another process is writing " + tmp, e);
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
