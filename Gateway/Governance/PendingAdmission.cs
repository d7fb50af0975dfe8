using Gateway.Apis;

namespace Gateway.Governance;

/// <summary>
/// A call's governance charge (<see cref="GovernanceGate.AdmitAsync"/>) while it is under way. The router chooses the
/// call's first deployment meanwhile, so that choice's own round trip to the counters overlaps this one, and decides
/// the admission before anything goes upstream and before any answer: a refused call is never sent.
/// </summary>
internal sealed class PendingAdmission(ValueTask<OpenAiErrorResult?> charge)
{
    private readonly ValueTask<OpenAiErrorResult?> _charge = charge;
    private State _state;

    private enum State
    {
        Pending,
        Awaiting,
        Granted,
        Refused,
    }

    /// <summary>True when <see cref="DecideAsync"/> would not wait: the charge has finished (or was decided).</summary>
    public bool Ready => _state != State.Pending || _charge.IsCompleted;

    /// <summary>True once <see cref="DecideAsync"/> has granted or refused the call.</summary>
    public bool Decided => _state is State.Granted or State.Refused;

    /// <summary>True once the call was admitted: its charges are to be settled when it ends.</summary>
    public bool Granted => _state == State.Granted;

    /// <summary>Why the call was refused, once <see cref="DecideAsync"/> said so.</summary>
    public OpenAiErrorResult? Refusal { get; private set; }

    /// <summary>Waits for the charge (once); true when the call may go upstream.</summary>
    public async ValueTask<bool> DecideAsync()
    {
        if (_state == State.Pending)
        {
            // A charge that throws is awaited only here; the exception goes to the caller and the call is not admitted.
            _state = State.Awaiting;
            Refusal = await _charge;
            _state = Refusal is null ? State.Granted : State.Refused;
        }

        return _state switch
        {
            State.Granted => true,
            State.Refused => false,
            _ => throw new InvalidOperationException("The call's governance charge failed; it was not admitted."),
        };
    }

    /// <summary>
    /// Waits for a charge still under way when the call ended without deciding it (aborted, or routing failed), so
    /// that <see cref="Granted"/> says whether there is a charge to settle.
    /// </summary>
    public async ValueTask WaitOutAsync()
    {
        if (_state != State.Pending)
        {
            return;
        }

        try
        {
            await DecideAsync();
        }
        catch (OperationCanceledException)
        {
            // The call was aborted while its charge was under way: nothing was charged.
        }
    }
}
