/**
 * Stage workers deployed with PipelinesIT's WAR: a CDI {@code @PipelineStage} bean
 * ({@link io.batpak.it.app.pipelines.ChargeStage}) and a consumer of a {@code batpak} stage channel
 * ({@link io.batpak.it.app.pipelines.EmailStage}).
 */
package io.batpak.it.app.pipelines;
