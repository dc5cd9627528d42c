package io.batpak.streams;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.io.IOException;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * MessagePack in and out of the streams layers' bookkeeping records (pipelines, derivations): one
 * place that turns msgpack's checked {@link IOException} into what it means here. Packing into
 * memory cannot fail; a record that does not decode is {@link ErrorCode#CORRUPT_DATA}, naming the
 * record. Stateless.
 */
public final class RecordPacking {
    private RecordPacking() {
    }

    /** Writes a record's fields. */
    @FunctionalInterface
    public interface Writer {
        void write(MessageBufferPacker p) throws IOException;
    }

    /** Reads a record's fields back. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(MessageUnpacker u) throws IOException;
    }

    public static byte[] pack(Writer w) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            w.write(p);
            return p.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("packing into memory cannot fail", e);
        }
    }

    /** @param record what the payload is, for the error, e.g. {@code "a pipeline's output"} */
    public static <T> T unpack(String record, byte[] payload, Reader<T> r) {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
            return r.read(u);
        } catch (IOException | RuntimeException e) {
            throw new StoreException(ErrorCode.CORRUPT_DATA, record + " record does not decode: " + e.getMessage(), e);
        }
    }
}
