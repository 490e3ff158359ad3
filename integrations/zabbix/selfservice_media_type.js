// selfservice: Zabbix webhook media type script (Zabbix 6.0 or later).
//
// Zabbix calls this script with `value`, a JSON string holding the media type
// parameters (see README.md next to this file). The script posts those parameters,
// minus the connection settings, as one JSON object to the selfservice alert intake,
// authenticated with a bearer token. The intake decides what the event means:
// event_value "1" opens or updates a ticket, "0" records the recovery on it, and
// event_update_status "1" adds the acknowledgement or comment to it.
//
// A failure throws, so Zabbix marks the alert as failed and retries it according to the
// media type's "Attempts" setting. The intake is idempotent: a retried delivery of the
// same event is recognised and not applied twice.
//
// Written for the Duktape engine of Zabbix: ECMAScript 5 only (no let/const, no arrow
// functions, no template strings).

var SelfserviceWebhook = {
    // Parameters used by this script only; never forwarded to the intake.
    connectionParams: ['selfservice_url', 'selfservice_token', 'http_proxy'],
    // Parameters without which the intake cannot place the event.
    requiredParams: ['selfservice_url', 'selfservice_token', 'event_id', 'event_value'],
    mediaTypeVersion: '1',

    // A macro Zabbix could not resolve arrives as its own text ("{EVENT.UPDATE.ACTION}")
    // or as "*UNKNOWN*"; both mean "not set".
    isUnset: function (text) {
        if (typeof text !== 'string') {
            return true;
        }
        var trimmed = text.trim();
        return trimmed === '' || trimmed === '*UNKNOWN*' || /^\{[^{}\s]+\}$/.test(trimmed);
    },

    readParams: function (raw) {
        var params;
        try {
            params = JSON.parse(raw);
        }
        catch (error) {
            throw 'Cannot read the media type parameters: ' + error;
        }
        if (typeof params !== 'object' || params === null) {
            throw 'The media type parameters are not an object.';
        }
        for (var i = 0; i < SelfserviceWebhook.requiredParams.length; i++) {
            var name = SelfserviceWebhook.requiredParams[i];
            if (SelfserviceWebhook.isUnset(params[name])) {
                throw 'Parameter "' + name + '" is missing or empty.';
            }
        }
        if (!/^https?:\/\/[^\s]+$/i.test(params.selfservice_url.trim())) {
            throw 'Parameter "selfservice_url" must be an http:// or https:// address.';
        }
        return params;
    },

    buildBody: function (params) {
        var body = {};
        for (var name in params) {
            if (Object.prototype.hasOwnProperty.call(params, name)
                    && SelfserviceWebhook.connectionParams.indexOf(name) === -1) {
                body[name] = params[name];
            }
        }
        body.media_type_version = SelfserviceWebhook.mediaTypeVersion;
        return body;
    },

    send: function (params, body) {
        var request = new HttpRequest();
        request.addHeader('Content-Type: application/json');
        request.addHeader('Accept: application/json');
        request.addHeader('Authorization: Bearer ' + params.selfservice_token.trim());
        if (!SelfserviceWebhook.isUnset(params.http_proxy)) {
            request.setProxy(params.http_proxy.trim());
        }
        var url = params.selfservice_url.trim();
        Zabbix.log(4, '[selfservice webhook] POST ' + url + ' event_id=' + body.event_id);
        var response = request.post(url, JSON.stringify(body));
        var status = request.getStatus();
        Zabbix.log(4, '[selfservice webhook] HTTP ' + status + ': ' + response);
        if (status < 200 || status >= 300) {
            var detail = typeof response === 'string' ? response.substring(0, 500) : '';
            throw 'selfservice answered HTTP ' + status + (detail ? ': ' + detail : '');
        }
        return response;
    },

    // With "Process tags" ticked on the media type, Zabbix stores the returned tags on
    // the problem, so operators see the ticket number in Zabbix.
    result: function (response) {
        var parsed = null;
        try {
            parsed = JSON.parse(response);
        }
        catch (error) {
            return 'OK';
        }
        if (parsed && typeof parsed.ticket === 'string' && parsed.ticket !== '') {
            return JSON.stringify({tags: {selfservice_ticket: parsed.ticket}});
        }
        return 'OK';
    }
};

try {
    var params = SelfserviceWebhook.readParams(value);
    var response = SelfserviceWebhook.send(params, SelfserviceWebhook.buildBody(params));
    return SelfserviceWebhook.result(response);
}
catch (error) {
    Zabbix.log(3, '[selfservice webhook] failed: ' + error);
    throw 'selfservice webhook failed: ' + error;
}
