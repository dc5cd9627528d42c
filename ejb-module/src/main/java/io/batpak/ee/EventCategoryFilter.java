package io.batpak.ee;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Restricts an {@code @ObservesAsync CommittedEvent} observer to one event category (kind >> 12), e.g.
 * {@code void on(@ObservesAsync @EventCategoryFilter(0xF) CommittedEvent e)}.
 */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD, ElementType.TYPE})
public @interface EventCategoryFilter {
    int value();

    /** The qualifier instance the publisher fires with. */
    final class Literal extends AnnotationLiteral<EventCategoryFilter> implements EventCategoryFilter {
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
