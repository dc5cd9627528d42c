package io.batpak.ee;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Restricts an {@code @ObservesAsync CommittedEvent} observer to one event kind, e.g.
 * {@code void on(@ObservesAsync @EventKindFilter(0xF001) CommittedEvent e)}.
 */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD, ElementType.TYPE})
public @interface EventKindFilter {
    int value();

    /** The qualifier instance the publisher fires with. */
    final class Literal extends AnnotationLiteral<EventKindFilter> implements EventKindFilter {
        private static final long serialVersionUID = 1L;
        private final int value;

        public Literal(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }
}
