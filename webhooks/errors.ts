/** The event concerns something not linked yet (its checkout not processed yet, say): try again later. */
export class RetryLater extends Error {
  /** The organization the event was already traced to, so its admins see it while it waits. */
  constructor(
    message: string,
    readonly organizationId?: string,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** The event can never concern any of our organizations (another platform's customer on a shared account): record and ignore. */
export class NotOurs extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotOurs';
  }
}

/** The event could be linked only by a guess (a customer linked to two members): park it at once, with the reason, posting nothing. */
export class Ambiguous extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Ambiguous';
  }
}
