-- The obvious alternative to the plugin, for the benchmark: a Lua post-dissector reading the same
-- fields the plugin's glue extracts (plugin/wireshark/extract.cpp) and doing the simplest useful
-- part of the analysis: SIP refresh interval and lateness per binding (To + Contact), and SCCP
-- keepalive gap and ack latency per TCP stream, shown as generated fields.
--   tshark -X lua_script:bench/keepalive.lua -r capture.pcap
-- SPDX-License-Identifier: GPL-2.0-or-later

local p = Proto("keepalive_lua", "Keepalive Analysis (Lua)")
local f_endpoint = ProtoField.string("keepalive_lua.endpoint", "Endpoint")
local f_interval = ProtoField.double("keepalive_lua.refresh.interval", "Refresh interval (s)")
local f_lateness = ProtoField.double("keepalive_lua.refresh.lateness", "Refresh lateness (s)")
local f_gap = ProtoField.double("keepalive_lua.sccp.gap", "Keepalive gap (s)")
local f_latency = ProtoField.double("keepalive_lua.sccp.ack_latency", "Keepalive ack latency (s)")
p.fields = { f_endpoint, f_interval, f_lateness, f_gap, f_latency }

local names = {
    "sip.Method", "sip.Status-Code", "sip.Call-ID", "sip.CSeq.seq", "sip.CSeq.method", "sip.Expires",
    "sip.to.addr", "sip.Via.branch", "sip.resend", "sip.contact.uri", "sip.contact.parameter",
    "skinny.messageId", "skinny.DeviceName", "skinny.keepAliveInterval", "skinny.secondaryKeepAliveInterval",
    "tcp.stream", "tcp.seq", "tcp.seq_raw", "tcp.len", "tcp.ack", "tcp.flags", "tcp.analysis.retransmission",
    "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4", "syslog.msg",
}
local F = {}
for _, n in ipairs(names) do F[n] = Field.new(n) end

local bindings = {}    -- To + Contact -> { ok = time of the last 2xx, grant = seconds }
local sessions = {}    -- tcp.stream -> { last = time of the last KeepAliveReq, pending = time }
local results = {}     -- frame number -> { fields } (computed once, shown on every pass)

local function value(name)
    local fi = F[name]()
    return fi and fi.value
end

local function analyse(pinfo)
    local t = pinfo.abs_ts
    local r = {}
    local method, status = value("sip.Method"), value("sip.Status-Code")
    if method == "REGISTER" or (status and value("sip.CSeq.method") == "REGISTER") then
        local key = tostring(value("sip.to.addr")) .. "|" .. tostring(value("sip.contact.uri"))
        local b = bindings[key]
        r.endpoint = value("sip.to.addr")
        if method == "REGISTER" and b and b.ok then
            r.interval = t - b.ok
            r.lateness = r.interval - (b.grant - 5)
        elseif status and status >= 200 and status < 300 then
            local grant = value("sip.Expires") or 3600
            for _, fi in ipairs({ F["sip.contact.parameter"]() }) do
                local e = tostring(fi.value):match("^expires=(%d+)")
                if e then grant = tonumber(e) end
            end
            bindings[key] = { ok = t, grant = grant }
        end
    end
    local id = value("skinny.messageId")
    if id then
        local stream = value("tcp.stream")
        local s = sessions[stream] or {}
        sessions[stream] = s
        r.endpoint = value("skinny.DeviceName") or tostring(pinfo.src)
        if id == 0 then
            if s.last then r.gap = t - s.last end
            s.last, s.pending = t, t
        elseif id == 0x100 and s.pending then
            r.latency = t - s.pending
            s.pending = nil
        end
    end
    -- The remaining fields are read as the plugin reads them, for a fair comparison.
    value("tcp.seq"); value("tcp.seq_raw"); value("tcp.len"); value("tcp.ack"); value("tcp.flags")
    value("tcp.analysis.retransmission"); value("arp.opcode"); value("syslog.msg"); value("sip.resend")
    return r
end

function p.dissector(tvb, pinfo, tree)
    local r = results[pinfo.number]
    if not pinfo.visited then
        r = analyse(pinfo)
        results[pinfo.number] = r
    end
    if not r or not r.endpoint then return end
    local sub = tree:add(p)
    sub:add(f_endpoint, tostring(r.endpoint)):set_generated()
    if r.interval then sub:add(f_interval, r.interval):set_generated() end
    if r.lateness then sub:add(f_lateness, r.lateness):set_generated() end
    if r.gap then sub:add(f_gap, r.gap):set_generated() end
    if r.latency then sub:add(f_latency, r.latency):set_generated() end
end

-- Field extractors only see fields of a tree that holds them: ask for all fields.
register_postdissector(p, true)
