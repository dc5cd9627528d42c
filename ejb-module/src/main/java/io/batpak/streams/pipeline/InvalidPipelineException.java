package io.batpak.streams.pipeline;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

/** A pipeline definition that cannot run: no stage, a duplicate or unknown stage, a cycle, a bad field. */
public final class InvalidPipelineException extends StoreException {
    private static final long serialVersionUID = 1L;

    public InvalidPipelineException(String message) {
        super(ErrorCode.INVALID_PIPELINE, message);
    }
}
