/** The path of the kit's acknowledgement mutation: the messages router's `ack`, at `messages`. */
export const ACK_PATH = 'messages.ack';
