namespace Herald.Receiver.Sample;

/// <summary>
/// The payload of the README's <c>invoice.paid</c> event, as Herald sends it: the message's <c>payload</c> is the
/// webhook's body, <c>{"invoiceId": "inv_1001", "amount": 4200}</c>. MessageId is filled from the verified webhook-id.
/// </summary>
public sealed record InvoicePaid(string InvoiceId, long Amount)
{
    public string? MessageId { get; init; }
}
