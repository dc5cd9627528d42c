package io.batpak.engine.log;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For test classes that damage logs on purpose: the engine logs one warning per torn tail or
 * damaged frame, and thousands of expected ones would drown the build log. Raises the engine's log
 * level to SEVERE for the class and puts the previous level back afterwards.
 */
public final class QuietEngineLog implements BeforeAllCallback, AfterAllCallback {
    private static final Logger ENGINE_LOG = Logger.getLogger("io.batpak.engine");
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(QuietEngineLog.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("previous", ENGINE_LOG.getLevel() == null ? "" : ENGINE_LOG.getLevel().getName());
        ENGINE_LOG.setLevel(Level.SEVERE);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        String previous = context.getStore(NS).get("previous", String.class);
        ENGINE_LOG.setLevel(previous == null || previous.isEmpty() ? null : Level.parse(previous));
    }
}
