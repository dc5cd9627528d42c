/**
 * Gates: checks an append must pass before it is written ({@code Gate}, {@code GateSet}), their
 * verdicts ({@code GateDecision}, {@code Denial}), what a gate sees ({@code AppendContext}) and
 * the {@code Receipt} a passing set issues, which is the only way to call
 * {@link io.batpak.engine.EventStore#append(Receipt)}; {@code ClientAppends} keeps client kinds
 * out of the reserved range.
 *
 * <p>Guarantees: only a {@code GateSet} can create a {@code Receipt} (its constructor takes a seal
 * only {@code GateSet} can make), and a receipt authorises exactly the requests it was issued for;
 * a bypass is recorded with its reason in the stored event. Public API.
 *
 * <p>May use: {@code io.batpak.engine} (the facade, value types, exceptions) and
 * {@code io.batpak.engine.util}. Not {@code log}, {@code index}, {@code subscription} or
 * {@code projection}, and nothing outside the engine.
 */
package io.batpak.engine.gate;
