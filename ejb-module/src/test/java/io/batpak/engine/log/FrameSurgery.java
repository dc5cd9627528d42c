package io.batpak.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Alters one frame of a segment in place and writes a matching CRC32C, as a bug or an attacker
 * would: the frame still passes every checksum, so only the hash chain can reveal the change.
 */
final class FrameSurgery {
    private FrameSurgery() {
    }

    /** Lets {@code edit} change the frame's body (same length), then rewrites body and CRC. */
    static void rewrite(Path segment, TestFiles.Frame frame, Consumer<byte[]> edit) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer body = ByteBuffer.allocate(frame.bodyLength());
            while (body.hasRemaining() && ch.read(body, frame.bodyStart() + body.position()) > 0) {
                // read the whole body
            }
            byte[] bytes = body.array();
            edit.accept(bytes);
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length);
            ch.write(ByteBuffer.wrap(bytes), frame.bodyStart());
            ch.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).flip(), frame.start() + 4);
        }
    }

    /** Index of the first occurrence of {@code needle} in {@code hay}; fails if absent. */
    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("marker not found in the frame body");
    }
}
