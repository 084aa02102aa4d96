import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openApiSignString, signOpenApi, verifyOpenApiSign } from "./open-api-auth.ts";
import { pushSignString, signPush, verifyPushSign } from "./push-signature.ts";

const headers = { appkey: "HilfarmKey", nonce: "ABC123", time: "1796000000000" };

describe("the push signature (seed, Signature rules)", () => {
  it("is the MD5 of the sorted, spliced, lowercased headers and secret (a vector made with md5sum)", () => {
    expect(pushSignString(headers, "S3cretValue")).toBe(
      "appkey=hilfarmkey&nonce=abc123&time=1796000000000&s3cretvalue",
    );
    // printf '%s' 'appkey=hilfarmkey&nonce=abc123&time=1796000000000&s3cretvalue' | md5sum
    expect(signPush(headers, "S3cretValue")).toBe("fc121428937ece11a7380cb080e2bf6f");
  });

  it("verifies its own signature in either case of hex, and nothing else", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.string({ minLength: 1 }),
        fc.string(),
        (appkey, nonce, time, secret) => {
          const h = { appkey, nonce, time };
          const sign = signPush(h, secret);
          expect(verifyPushSign(h, sign, secret)).toBe(true);
          expect(verifyPushSign(h, sign.toUpperCase(), secret)).toBe(true);
          expect(verifyPushSign({ ...h, time: `${time}0` }, sign, secret)).toBe(false);
          expect(verifyPushSign(h, sign.slice(1), secret)).toBe(false);
        },
      ),
    );
  });
});

describe("the open API's request signature (hilfarm's reading)", () => {
  it("splices the headers sorted by name and appends the app key without a separator (a vector made with md5sum)", () => {
    const h = { accesstoken: "tok", appid: "APP1", keyid: "k1", nonce: "n1", time: "1796000000000" };
    expect(openApiSignString(h, "AppKeyValue")).toBe(
      "accesstoken=tok&appid=app1&keyid=k1&nonce=n1&time=1796000000000appkeyvalue",
    );
    expect(signOpenApi(h, "AppKeyValue")).toBe("462e6c38b168649571e07d0213d292a3");
    expect(verifyOpenApiSign(h, "462E6C38B168649571E07D0213D292A3", "AppKeyValue")).toBe(true);
    expect(openApiSignString({ appid: "a", keyid: "k", nonce: "n", time: "1" }, "K")).toBe(
      "appid=a&keyid=k&nonce=n&time=1k",
    );
  });
});
