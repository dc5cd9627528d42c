package io.batpak.engine;

import io.batpak.engine.log.Quarantine;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Quarantine#run} did to a data directory. Immutable.
 *
 * @param damage           the {@link CorruptLogException} message that named the damage; null if the log was intact
 * @param movedFiles       files now under {@code {data-dir}/quarantine/} (whole segment copies, later segments, the checkpoint)
 * @param keptEvents       events the store holds after the quarantine: global sequences 1..keptEvents
 * @param lostReadableEvents frames in the quarantined bytes that still pass their CRC: events that were committed
 *                         but are no longer in the store (a lower bound on what was lost)
 * @param lostDamagedRegions stretches of quarantined bytes that are not valid frames
 * @param dryRun           true if nothing was changed and this only says what would be done
 */
public record QuarantineReport(String damage, List<Path> movedFiles, long keptEvents, long lostReadableEvents,
                               long lostDamagedRegions, boolean dryRun) {
    public QuarantineReport {
        movedFiles = List.copyOf(movedFiles);
    }

    /** Whether the log was damaged (and, unless a dry run, has been cut back). */
    public boolean damaged() {
        return damage != null;
    }

    /** One human-readable paragraph for the operator. */
    public String describe() {
        if (!damaged()) {
            return "log intact: " + keptEvents + " events, nothing quarantined";
        }
        String verb = dryRun ? "would move" : "moved";
        return "damage: " + damage + "\n" + verb + " " + movedFiles.size() + " file(s) to quarantine: " + movedFiles
                + "\nkept events 1.." + keptEvents + "; lost at least " + lostReadableEvents
                + " readable event(s) after them and " + lostDamagedRegions + " damaged region(s)";
    }
}
