package io.batpak.ee;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.audit.AuditKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The key that signs audit exports: the PEM pair named by {@code batpak.audit.private-key} and
 * {@code batpak.audit.public-key} when set (both, never generated), else a pair generated on first
 * use at {@code {data-dir}/audit/ed25519.pem} and {@code ed25519.pub.pem} and loaded from there on
 * every later start. Loaded on the first export, not at start, so a server that never exports
 * never touches it; a key that cannot be read or does not match answers every export with
 * {@code UNAVAILABLE} naming the file, and is retried on the next one. Thread-safe.
 */
@ApplicationScoped
public class AuditSigning {
    private static final Logger LOG = System.getLogger(AuditSigning.class.getName());
    /** Where a generated key lives, under the data directory. */
    public static final String GENERATED_PRIVATE = "audit/ed25519.pem";
    public static final String GENERATED_PUBLIC = "audit/ed25519.pub.pem";

    @Inject
    BatpakSettings settings;
    @Inject
    @ConfigProperty(name = "batpak.audit.private-key")
    Optional<String> privateKeyPath;
    @Inject
    @ConfigProperty(name = "batpak.audit.public-key")
    Optional<String> publicKeyPath;

    /** Guarded by {@code this} for the load; read without the lock once set. */
    private volatile AuditKey key;

    /** The signing key, loading or generating it on the first call. */
    public AuditKey key() {
        AuditKey k = key;
        if (k != null) {
            return k;
        }
        synchronized (this) {
            if (key == null) {
                key = load();
                LOG.log(Level.INFO, "audit exports are signed with the Ed25519 key of fingerprint {0}", key.fingerprint());
            }
            return key;
        }
    }

    private AuditKey load() {
        Optional<String> priv = privateKeyPath.filter(p -> !p.isBlank());
        Optional<String> pub = publicKeyPath.filter(p -> !p.isBlank());
        if (priv.isEmpty() && pub.isEmpty()) {
            Path data = settings.dataDirectory();
            return AuditKey.loadOrCreate(data.resolve(GENERATED_PRIVATE), data.resolve(GENERATED_PUBLIC));
        }
        if (priv.isEmpty() || pub.isEmpty()) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "audit exports: set both batpak.audit.private-key and "
                    + "batpak.audit.public-key, or neither (a key is then generated under the data directory)");
        }
        try {
            return AuditKey.fromPem(Files.readString(Path.of(priv.get()), StandardCharsets.US_ASCII),
                    Files.readString(Path.of(pub.get()), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "audit exports: cannot read the configured key: " + e, e);
        } catch (StoreException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "audit exports: the key at " + priv.get() + " / "
                    + pub.get() + " is unusable: " + e.getMessage(), e);
        }
    }
}
