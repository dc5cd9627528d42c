/**
 * Schema evolution on read: an {@link io.batpak.engine.upcast.Upcaster} turns the payload of one
 * (kind, version) into the next version, and {@link io.batpak.engine.upcast.Upcasters} is the
 * validated set of them the store applies to every event it hands out.
 *
 * <p>Guarantees: the stored bytes and their chain hash never change (upcasting happens on the way
 * out, on the reading thread); a set with a gap or a duplicate step is refused when it is installed
 * ({@code invalid-upcasters}); a failing step fails the read ({@code upcast-failed}) rather than
 * deliver a half-upcast event.
 *
 * <p>May use: {@code io.batpak.engine} (value types) only.
 */
package io.batpak.engine.upcast;
