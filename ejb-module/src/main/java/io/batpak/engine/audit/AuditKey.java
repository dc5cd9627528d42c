package io.batpak.engine.audit;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.util.Hex;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The Ed25519 key pair that signs export trailers, with the JDK's own Ed25519 ({@code java.security},
 * no library). Keys are stored as PEM: the private key as PKCS#8 ({@code BEGIN PRIVATE KEY}), the
 * public key as X.509 SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}), the form {@code openssl
 * genpkey -algorithm ed25519} and {@code openssl pkey -pubout} write. The fingerprint is the
 * lower-case hex SHA-256 of the public key's SubjectPublicKeyInfo DER bytes
 * ({@code openssl pkey -pubin -outform DER | sha256sum}). Ed25519 signatures are deterministic, so
 * the same trailer and key always give the same bytes. Immutable and thread-safe (a new
 * {@code Signature} per call).
 */
public final class AuditKey {
    static final String ALGORITHM = "Ed25519";
    private static final String PRIVATE_PEM = "PRIVATE KEY";
    private static final String PUBLIC_PEM = "PUBLIC KEY";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String fingerprint;

    private AuditKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.fingerprint = fingerprint(publicKey);
    }

    /** A new random key pair. */
    public static AuditKey generate() {
        try {
            KeyPair p = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            return new AuditKey(p.getPrivate(), p.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /**
     * The pair from these PEM texts; fails with {@link ErrorCode#INVALID_REQUEST} if either does not
     * decode or the public key is not the private key's (checked by signing a probe).
     */
    public static AuditKey fromPem(String privatePem, String publicPem) {
        try {
            PrivateKey priv = KeyFactory.getInstance(ALGORITHM)
                    .generatePrivate(new PKCS8EncodedKeySpec(pemBody(privatePem, PRIVATE_PEM)));
            AuditKey k = new AuditKey(priv, publicKeyFromPem(publicPem));
            byte[] probe = "batpak audit key probe".getBytes(StandardCharsets.US_ASCII);
            if (!verify(k.publicKey, probe, k.sign(probe))) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "the public key is not the private key's");
            }
            return k;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "not an Ed25519 PKCS#8 private key PEM: " + e.getMessage(), e);
        }
    }

    /**
     * The pair stored at these paths, or — when neither file exists — a new pair written there
     * (public key first, private key last with owner-only permissions where the file system has
     * them, each through a temporary file and a move, so a crash leaves no half-written key).
     * One file without the other fails with {@link ErrorCode#INVALID_REQUEST}, naming both, rather
     * than replacing a key auditors may already trust.
     */
    public static AuditKey loadOrCreate(Path privatePem, Path publicPem) {
        boolean hasPrivate = Files.exists(privatePem);
        boolean hasPublic = Files.exists(publicPem);
        try {
            if (hasPrivate && hasPublic) {
                return fromPem(Files.readString(privatePem, StandardCharsets.US_ASCII),
                        Files.readString(publicPem, StandardCharsets.US_ASCII));
            }
            if (hasPrivate || hasPublic) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "audit key: " + (hasPrivate ? privatePem : publicPem)
                        + " exists but " + (hasPrivate ? publicPem : privatePem) + " does not; restore it or remove both");
            }
            AuditKey k = generate();
            writeOnce(publicPem, k.publicPem(), false);
            writeOnce(privatePem, k.privatePem(), true);
            return k;
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "audit key " + privatePem + ": " + e, e);
        }
    }

    /** The public key in a PEM file. */
    public static PublicKey readPublicKey(Path pem) throws IOException {
        try {
            return publicKeyFromPem(Files.readString(pem, StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(pem + " is not an Ed25519 public key PEM (BEGIN PUBLIC KEY): " + e.getMessage(), e);
        }
    }

    /** Lower-case hex SHA-256 of the key's SubjectPublicKeyInfo DER encoding. */
    public static String fingerprint(PublicKey key) {
        try {
            return Hex.encode(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** Whether {@code signature} is {@code key}'s Ed25519 signature of {@code data}. */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false; // a signature of the wrong length or shape is simply not valid
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 verification unavailable for " + key.getAlgorithm(), e);
        }
    }

    /** The Ed25519 signature of {@code data}. */
    public byte[] sign(byte[] data) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(privateKey);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** See the class comment. */
    public String fingerprint() {
        return fingerprint;
    }

    public String publicPem() {
        return pem(PUBLIC_PEM, publicKey.getEncoded());
    }

    public String privatePem() {
        return pem(PRIVATE_PEM, privateKey.getEncoded());
    }

    private static PublicKey publicKeyFromPem(String pem) throws GeneralSecurityException {
        return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(pemBody(pem, PUBLIC_PEM)));
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static byte[] pemBody(String pem, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("no " + begin + " … " + end + " block");
        }
        return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
    }

    private static void writeOnce(Path target, String text, boolean secret) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        if (secret && Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}
