/**
 * The store on Apache Kafka, past one machine: the relay writes committed events to Kafka topics
 * exactly once across crashes ({@link io.batpak.ee.kafka.KafkaRelay}), records in the CloudEvents
 * Kafka protocol binding. It uses {@code kafka-clients} directly rather than the SmallRye Kafka
 * connector because exactly-once needs the transactional producer's own API: each batch of records
 * and the relay's position are written in one Kafka transaction, which a Reactive Messaging channel
 * does not expose.
 */
package io.batpak.ee.kafka;
