-- A* path finding on a generated grid, with a binary heap as the open set.
-- Returns the length of the shortest path and how many cells it explored.

local Heap = {}
Heap.__index = Heap

function Heap.new()
  return setmetatable({ items = {}, size = 0 }, Heap)
end

function Heap:push(priority, value)
  self.size = self.size + 1
  local items, i = self.items, self.size
  items[i] = { priority, value }
  while i > 1 do
    local parent = i // 2
    if items[parent][1] <= items[i][1] then break end
    items[parent], items[i] = items[i], items[parent]
    i = parent
  end
end

function Heap:pop()
  if self.size == 0 then return nil end
  local items = self.items
  local top = items[1]
  items[1] = items[self.size]
  items[self.size] = nil
  self.size = self.size - 1
  local i = 1
  while true do
    local left, right, smallest = 2 * i, 2 * i + 1, i
    if left <= self.size and items[left][1] < items[smallest][1] then smallest = left end
    if right <= self.size and items[right][1] < items[smallest][1] then smallest = right end
    if smallest == i then break end
    items[i], items[smallest] = items[smallest], items[i]
    i = smallest
  end
  return top[2], top[1]
end

-- A deterministic pseudo-random generator (xorshift), so every run sees the same grid.
local function rng(seed)
  local state = seed
  return function(n)
    state = state ~ (state << 13) & 0xffffffff
    state = state ~ (state >> 17)
    state = state ~ (state << 5) & 0xffffffff
    return state % n
  end
end

local function make_grid(width, height, wall_percent, seed)
  local random = rng(seed)
  local grid = {}
  for y = 1, height do
    local row = {}
    for x = 1, width do
      row[x] = random(100) < wall_percent
    end
    grid[y] = row
  end
  grid[1][1], grid[height][width] = false, false
  return grid
end

local function find_path(grid, sx, sy, tx, ty)
  local height, width = #grid, #grid[1]
  local function key(x, y) return (y - 1) * width + x end
  local function h(x, y) return math.abs(x - tx) + math.abs(y - ty) end

  local open = Heap.new()
  local cost = { [key(sx, sy)] = 0 }
  local came_from = {}
  local explored = 0
  open:push(h(sx, sy), key(sx, sy))

  while open.size > 0 do
    local current = open:pop()
    explored = explored + 1
    local cx, cy = (current - 1) % width + 1, (current - 1) // width + 1
    if cx == tx and cy == ty then
      local length = 0
      while came_from[current] do
        current = came_from[current]
        length = length + 1
      end
      return length, explored
    end
    for _, d in ipairs({ { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } }) do
      local nx, ny = cx + d[1], cy + d[2]
      if nx >= 1 and nx <= width and ny >= 1 and ny <= height and not grid[ny][nx] then
        local next_key = key(nx, ny)
        local new_cost = cost[current] + 1
        if cost[next_key] == nil or new_cost < cost[next_key] then
          cost[next_key] = new_cost
          came_from[next_key] = current
          open:push(new_cost + h(nx, ny), next_key)
        end
      end
    end
  end
  return nil, explored
end

local found, total_length, total_explored = 0, 0, 0
for seed = 1, 6 do
  local grid = make_grid(60, 40, 22, seed * 7919)
  local length, explored = find_path(grid, 1, 1, 60, 40)
  if length then
    found = found + 1
    total_length = total_length + length
  end
  total_explored = total_explored + explored
end
return string.format('%d/6 grids solved, %d steps, %d cells explored', found, total_length, total_explored)
