-- A tiny Jinja-like template engine that compiles templates to Lua functions: {{ expr }},
-- {% for x in xs %}, {% if cond %}, filters with `|`. Renders an invoice.

local Template = {}
Template.__index = Template

local filters = {
  upper = string.upper,
  lower = string.lower,
  money = function(n) return string.format('%.2f', n) end,
  length = function(t) return #t end,
  title = function(s) return (s:gsub('(%a)([%w_]*)', function(a, b) return a:upper() .. b end)) end,
}

local function compile_expression(expr)
  local parts = {}
  for part in expr:gmatch('[^|]+') do parts[#parts + 1] = part:match('^%s*(.-)%s*$') end
  local code = '(' .. parts[1] .. ')'
  for i = 2, #parts do
    code = string.format('filters[%q](%s)', parts[i], code)
  end
  return code
end

function Template.compile(source, name)
  local code = {
    'local ctx, filters, out = ...',
    'local tostring, ipairs = tostring, ipairs',
    -- Template variables are looked up in the context, nowhere else.
    'local _ENV = setmetatable({}, { __index = function(_, k) return ctx[k] end })',
  }
  local pos = 1
  while true do
    local s, e, kind, body = source:find('{([{%%])%s*(.-)%s*[}%%]}', pos)
    local text = source:sub(pos, (s or #source + 1) - 1)
    if #text > 0 then code[#code + 1] = string.format('out[#out + 1] = %q', text) end
    if not s then break end
    if kind == '{' then
      code[#code + 1] = 'out[#out + 1] = tostring(' .. compile_expression(body) .. ')'
    else
      local var, list = body:match('^for%s+([%a_][%w_]*)%s+in%s+(.+)$')
      local cond = body:match('^if%s+(.+)$')
      if var then
        code[#code + 1] = string.format('for _, %s in ipairs(%s) do', var, compile_expression(list))
      elseif cond then
        code[#code + 1] = 'if ' .. compile_expression(cond) .. ' then'
      elseif body == 'else' then
        code[#code + 1] = 'else'
      elseif body == 'endfor' or body == 'endif' then
        code[#code + 1] = 'end'
      else
        error(string.format('%s: unknown tag {%% %s %%}', name, body))
      end
    end
    pos = e + 1
  end
  local fn = assert(load(table.concat(code, '\n'), '=' .. name, 't', { setmetatable = setmetatable, ipairs = ipairs, tostring = tostring }))
  return setmetatable({ fn = fn, name = name }, Template)
end

function Template:render(ctx)
  local out = {}
  self.fn(ctx, filters, out)
  return table.concat(out)
end

local invoice = Template.compile([[
Invoice {{ number }} for {{ customer | title }}
{% for line in lines %}  {{ line.qty }} x {{ line.item | upper }} @ {{ line.price | money }}
{% endfor %}{% if discount > 0 %}Discount: {{ discount | money }}
{% else %}No discount
{% endif %}Lines: {{ lines | length }}
]], 'invoice')

local rendered, bytes = 0, 0
for n = 1, 300 do
  local lines = {}
  for i = 1, n % 8 + 1 do
    lines[i] = { qty = i, item = 'widget-' .. i, price = 3.25 * i }
  end
  local text = invoice:render({ number = 1000 + n, customer = 'ada lovelace ltd', lines = lines, discount = n % 3 })
  rendered, bytes = rendered + 1, bytes + #text
end
return string.format('%d invoices rendered, %d bytes', rendered, bytes)
