package treasurehunt.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A server frame that many connections send (a stream event, a batch of positions): rendered at
 * most once per encoding, by the first session that needs it, and the same bytes go to every other.
 * A feed builds the tree once; a node whose clients all speak JSON never renders CBOR.
 *
 * <p>Sessions on several threads may render it at once: the tree is only read, and both renders
 * give the same bytes, so the race costs at most one render more.
 */
final class ServerFrame {
  private final ObjectNode tree;
  private volatile WebSocketFrames.Send json;
  private volatile WebSocketFrames.Send cbor;

  private ServerFrame(ObjectNode tree) {
    this.tree = tree;
  }

  static ServerFrame of(ObjectNode tree) {
    return new ServerFrame(tree);
  }

  /** The frame as the tree {@link Frames} built (for tests and for what reads its fields). */
  ObjectNode tree() {
    return tree;
  }

  WebSocketFrames.Send in(Encoding encoding) {
    if (encoding == Encoding.CBOR) {
      WebSocketFrames.Send s = cbor;
      if (s == null) cbor = s = encoding.render(tree);
      return s;
    }
    WebSocketFrames.Send s = json;
    if (s == null) json = s = encoding.render(tree);
    return s;
  }
}
