// Preloaded into the conformance suite's Node process (node --import ./bearer.mjs):
// adds "Authorization: Bearer $RM_CONFORMANCE_KEY" to every HTTP request it makes.
// The suite has no option for headers, and our server refuses requests without a key.
// Both fetch() and undici's request() go through the global dispatcher replaced here;
// node:http's request() (0.2.0's header-validation scenarios send raw requests with it)
// is wrapped below.
import http from 'node:http';
import { Agent, setGlobalDispatcher } from 'undici';

const key = process.env.RM_CONFORMANCE_KEY;
if (!key) throw new Error('bearer.mjs: set RM_CONFORMANCE_KEY to the server key');
const value = `Bearer ${key}`;

// Request headers arrive as an object, a flat [name, value, ...] array, or pairs.
function withBearer(headers) {
  if (headers == null) return { authorization: value };
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) return [...headers, ['authorization', value]];
    return [...headers, 'authorization', value];
  }
  if (typeof headers[Symbol.iterator] === 'function') return [...headers, ['authorization', value]];
  return { ...headers, authorization: value };
}

class BearerAgent extends Agent {
  dispatch(options, handler) {
    return super.dispatch({ ...options, headers: withBearer(options.headers) }, handler);
  }
}
setGlobalDispatcher(new BearerAgent());

const httpRequest = http.request;
http.request = function request(options, ...rest) {
  if (options && typeof options === 'object' && !(options instanceof URL)) {
    options = { ...options, headers: withBearer(options.headers) };
  }
  return httpRequest.call(this, options, ...rest);
};
