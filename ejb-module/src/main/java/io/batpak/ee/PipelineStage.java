package io.batpak.ee;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a CDI bean as the worker of one pipeline stage. The method takes the trigger
 * event ({@link io.batpak.engine.StoredEvent}) and the outputs of the stages this one depends on
 * ({@code Map<String, String>}: stage name → output as JSON text) and returns the stage's output:
 * a {@code String} of JSON text, or a {@link StageOutput} to publish stream events atomically with
 * it. Returning null or throwing nacks the delivery (the exception's message is the reason), so it
 * is retried, and parked after the pipeline's {@code maxDeliveries}.
 *
 * <p>{@link PipelineStageWorkers} polls the stage on the application's ManagedExecutorService from
 * when the application has started until it stops, {@link #workers()} loops per method, as member
 * {@link #consumer()} (default: {@code cdi-<bean class>.<method>}). A pipeline that does not exist
 * yet is waited for. Found by the {@link PipelineStageBeans} extension in any bean of the deployment.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface PipelineStage {
    /** The pipeline's name. */
    String pipeline();

    /** The stage this method serves. */
    String stage();

    /** The consumer name of the workers; empty for {@code cdi-<class>.<method>}. */
    String consumer() default "";

    /** Concurrent polling loops for this method. */
    int workers() default 1;
}
