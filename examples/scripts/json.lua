-- A small JSON encoder and decoder, and a round trip through both.
-- Returns a one-line summary of what it did.

local json = {}

local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

local function escape_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format('\\u%04x', c:byte())
  end) .. '"'
end

local function is_array(t)
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= 'integer' or k < 1 then return false end
    n = math.max(n, k)
  end
  return n == #t
end

local encode_value

local function encode_table(t, out, depth)
  if depth > 64 then error('json: nesting too deep') end
  if next(t) == nil then
    out[#out + 1] = '[]'
  elseif is_array(t) then
    out[#out + 1] = '['
    for i, v in ipairs(t) do
      if i > 1 then out[#out + 1] = ',' end
      encode_value(v, out, depth + 1)
    end
    out[#out + 1] = ']'
  else
    local keys = {}
    for k in pairs(t) do
      if type(k) ~= 'string' then error('json: object keys must be strings') end
      keys[#keys + 1] = k
    end
    table.sort(keys)
    out[#out + 1] = '{'
    for i, k in ipairs(keys) do
      if i > 1 then out[#out + 1] = ',' end
      out[#out + 1] = escape_string(k)
      out[#out + 1] = ':'
      encode_value(t[k], out, depth + 1)
    end
    out[#out + 1] = '}'
  end
end

encode_value = function(v, out, depth)
  local kind = type(v)
  if kind == 'nil' or v == json.null then
    out[#out + 1] = 'null'
  elseif kind == 'boolean' then
    out[#out + 1] = tostring(v)
  elseif kind == 'number' then
    if v ~= v or v == math.huge or v == -math.huge then
      error('json: cannot encode ' .. tostring(v))
    end
    if math.type(v) == 'integer' then
      out[#out + 1] = string.format('%d', v)
    else
      out[#out + 1] = string.format('%.17g', v)
    end
  elseif kind == 'string' then
    out[#out + 1] = escape_string(v)
  elseif kind == 'table' then
    encode_table(v, out, depth)
  else
    error('json: cannot encode a ' .. kind)
  end
end

json.null = setmetatable({}, { __tostring = function() return 'null' end })

function json.encode(v)
  local out = {}
  encode_value(v, out, 0)
  return table.concat(out)
end

local Parser = {}
Parser.__index = Parser

function Parser.new(text)
  return setmetatable({ text = text, pos = 1 }, Parser)
end

function Parser:fail(what)
  error(string.format('json: %s at position %d', what, self.pos))
end

function Parser:skip()
  self.pos = self.text:find('[^ \t\r\n]', self.pos) or #self.text + 1
end

function Parser:peek()
  self:skip()
  return self.text:sub(self.pos, self.pos)
end

function Parser:expect(s)
  if self.text:sub(self.pos, self.pos + #s - 1) ~= s then self:fail('expected ' .. s) end
  self.pos = self.pos + #s
end

function Parser:string()
  self:expect('"')
  local parts = {}
  while true do
    local stop = self.text:find('["\\]', self.pos)
    if not stop then self:fail('unterminated string') end
    parts[#parts + 1] = self.text:sub(self.pos, stop - 1)
    local c = self.text:sub(stop, stop)
    if c == '"' then
      self.pos = stop + 1
      return table.concat(parts)
    end
    local e = self.text:sub(stop + 1, stop + 1)
    local simple = { b = '\b', f = '\f', n = '\n', r = '\r', t = '\t', ['"'] = '"', ['\\'] = '\\', ['/'] = '/' }
    if simple[e] then
      parts[#parts + 1] = simple[e]
      self.pos = stop + 2
    elseif e == 'u' then
      local hex = self.text:sub(stop + 2, stop + 5)
      if not hex:match('^%x%x%x%x$') then self:fail('bad unicode escape') end
      parts[#parts + 1] = utf8.char(tonumber(hex, 16))
      self.pos = stop + 6
    else
      self:fail('bad escape')
    end
  end
end

function Parser:number()
  local s, e = self.text:find('^-?%d+%.?%d*[eE]?[-+]?%d*', self.pos)
  if not s then self:fail('bad number') end
  local literal = self.text:sub(s, e)
  self.pos = e + 1
  return math.tointeger(tonumber(literal)) or tonumber(literal)
end

function Parser:value(depth)
  if depth > 64 then self:fail('nesting too deep') end
  local c = self:peek()
  if c == '{' then
    self.pos = self.pos + 1
    local obj = {}
    if self:peek() == '}' then self.pos = self.pos + 1 return obj end
    repeat
      self:skip()
      local k = self:string()
      if self:peek() ~= ':' then self:fail('expected :') end
      self.pos = self.pos + 1
      obj[k] = self:value(depth + 1)
      local sep = self:peek()
      self.pos = self.pos + 1
    until sep ~= ','
    if self.text:sub(self.pos - 1, self.pos - 1) ~= '}' then self:fail('expected }') end
    return obj
  elseif c == '[' then
    self.pos = self.pos + 1
    local arr = {}
    if self:peek() == ']' then self.pos = self.pos + 1 return arr end
    repeat
      arr[#arr + 1] = self:value(depth + 1)
      local sep = self:peek()
      self.pos = self.pos + 1
    until sep ~= ','
    if self.text:sub(self.pos - 1, self.pos - 1) ~= ']' then self:fail('expected ]') end
    return arr
  elseif c == '"' then
    return self:string()
  elseif c == 't' then self:expect('true') return true
  elseif c == 'f' then self:expect('false') return false
  elseif c == 'n' then self:expect('null') return json.null
  else
    return self:number()
  end
end

function json.decode(text)
  local p = Parser.new(text)
  local v = p:value(0)
  if p:peek() ~= '' then p:fail('trailing characters') end
  return v
end

-- The round trip: a small order book, encoded, decoded and encoded again.
local orders = {}
for i = 1, 200 do
  orders[i] = {
    id = i,
    customer = string.format('customer-%03d', i % 37),
    lines = { { sku = 'A-' .. i, qty = i % 5 + 1, price = 9.5 + i % 7 },
              { sku = 'B-' .. i, qty = 1, price = 120.25 } },
    paid = i % 3 ~= 0,
    note = i % 10 == 0 and 'gift\twrap "please"' or json.null,
  }
end

local text = json.encode({ orders = orders, version = 2 })
local decoded = json.decode(text)
assert(json.encode(decoded) == text, 'round trip changed the document')

local total = 0
for _, order in ipairs(decoded.orders) do
  for _, line in ipairs(order.lines) do total = total + line.qty * line.price end
end
return string.format('%d orders, %d bytes of JSON, total %.2f', #decoded.orders, #text, total)
