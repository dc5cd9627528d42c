package io.batpak.engine.audit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;

/**
 * The standalone verifier: {@code java -jar batpak-ejb-<version>-verify.jar export.ndjson --key
 * pub.pem}. Needs no server and no data directory. Prints {@code OK n events, m entities} and exits
 * 0 when the export verifies; otherwise prints {@code line N: why} on standard error and exits 1;
 * exits 2 on a usage error or an unreadable file or key.
 */
public final class VerifyMain {
    private VerifyMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command and returns its exit status (for tests; {@link #main} exits with it). */
    static int run(String[] args) {
        Path export = null;
        Path keyFile = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--key") && i + 1 < args.length) {
                keyFile = Path.of(args[++i]);
            } else if (export == null && !args[i].startsWith("--")) {
                export = Path.of(args[i]);
            } else {
                return usage("unexpected argument " + args[i]);
            }
        }
        if (export == null || keyFile == null) {
            return usage("an export file and --key are required");
        }
        PublicKey key;
        try {
            key = AuditKey.readPublicKey(keyFile);
        } catch (IOException e) {
            System.err.println("cannot read the key: " + e.getMessage());
            return 2;
        }
        ExportVerifier.Report r;
        try (InputStream in = Files.newInputStream(export)) {
            r = new ExportVerifier(key).verify(in);
        } catch (IOException e) {
            System.err.println("cannot read " + export + ": " + e);
            return 2;
        }
        if (r.ok()) {
            System.out.println(r);
            return 0;
        }
        System.err.println(export + ": " + r);
        return 1;
    }

    private static int usage(String why) {
        System.err.println(why + "\nusage: java -jar batpak-ejb-<version>-verify.jar export.ndjson --key pub.pem");
        return 2;
    }
}
